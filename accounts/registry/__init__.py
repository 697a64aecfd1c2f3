"""The association's registry: host families vetted and renewed each year, students confirmed
through partner schools each academic year. A person's status is computed by one function
(``accounts.registry.selectors.person_status``); rounds match only the approved and confirmed
(``matchable_q``)."""
