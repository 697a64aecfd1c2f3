from matching.api import programs, proposals, rounds, visits

urlpatterns = [
    *programs.urlpatterns,
    *rounds.urlpatterns,
    *proposals.urlpatterns,
    *visits.urlpatterns,
]
