"""The pages for everyone, students and host families (the coordinator's are in
``frontend.views.coordinator``). Each view speaks HTTP only and calls accounts' and
matching's services and selectors, as the API does."""
