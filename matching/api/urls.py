from matching.api import programs, proposals, rounds

urlpatterns = [*programs.urlpatterns, *rounds.urlpatterns, *proposals.urlpatterns]
