from matching.api import (
    groups,
    incidents,
    programs,
    proposals,
    reoffers,
    reports,
    rounds,
    visits,
)

urlpatterns = [
    *programs.urlpatterns,
    *rounds.urlpatterns,
    *proposals.urlpatterns,
    *reoffers.urlpatterns,
    *incidents.urlpatterns,
    *reports.urlpatterns,
    *visits.urlpatterns,
    *groups.urlpatterns,
]
