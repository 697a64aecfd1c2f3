app_name = "frontend"

urlpatterns: list = []
