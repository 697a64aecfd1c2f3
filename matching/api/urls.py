from matching.api import incidents, programs, proposals, reoffers, rounds

urlpatterns = [
    *programs.urlpatterns,
    *rounds.urlpatterns,
    *proposals.urlpatterns,
    *reoffers.urlpatterns,
    *incidents.urlpatterns,
]
