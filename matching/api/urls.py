from matching.api import programs, proposals, reports, rounds

urlpatterns = [
    *programs.urlpatterns,
    *rounds.urlpatterns,
    *proposals.urlpatterns,
    *reports.urlpatterns,
]
