"""The coordinator's pages: programmes, applications, rounds, answers, reports, announcements
and the CSV export, one module each (mounted by ``frontend.coordinator_urls``).

Every page is for coordinators only (anyone else gets 403, anonymous visitors the login page).
Each view speaks HTTP only: it checks the form's shape, calls the same service or selector as
the API, and renders; a service's ValidationError is shown beside the field it names.
"""
