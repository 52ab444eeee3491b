"""What of a household's visits its counters and period figures depend on, read in one statement (`teams.counters`)."""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from .counters_shift import sql_date
from .models import Adoption, Assistance, Service, Visit


@dataclass(frozen=True)
class VisitFacts:
    """What of a household's visits its contribution depends on."""

    adopted_on: dict  # service id -> first adopted on (None: not adopted)
    people: dict  # (service id, visited on) -> people helped
    visits: dict  # visited on -> counted visits that day (the period figures')


@dataclass(frozen=True)
class StoredAdoption:
    """An `Adoption` row as stored, read with the visit facts: what the state refresh compares with."""

    pk: int
    first_adopted_on: date | None
    last_outcome: str
    last_visited_on: date
    people_helped: int

    @property
    def state(self):
        return (self.first_adopted_on, self.last_outcome, self.last_visited_on, self.people_helped)


# A household's adoptions and its people helped per service and day, and the services' pillars
# they are counted under: read twice in every visit's transaction, in one statement of plain SQL
# (the same on SQLite and PostgreSQL) as the shift below is. The adoption rows come whole, for
# the state refresh that follows under the same lock.
# Columns: kind, service id, day, number (adoption id / people helped), text (last outcome /
# pillar), second day (last visited on), second number (people helped). Kind 3: the counted visits per day.
_VISIT_FACTS_SQL = """
SELECT 0, service_id, first_adopted_on, id, last_outcome, last_visited_on, people_helped
FROM {adoption} WHERE household_id = %s
UNION ALL
SELECT 1, a.service_id, v.visited_on, SUM(a.people_helped), NULL, NULL, NULL
FROM {assistance} a JOIN {visit} v ON v.id = a.visit_id
WHERE v.household_id = %s AND v.voided_at IS NULL AND a.outcome = 'set_up'
GROUP BY a.service_id, v.visited_on
UNION ALL
SELECT 2, id, NULL, 0, pillar, NULL, NULL FROM {service}
UNION ALL
SELECT 3, NULL, visited_on, COUNT(*), NULL, NULL, NULL FROM {visit} WHERE household_id = %s AND voided_at IS NULL
GROUP BY visited_on"""


def visit_facts_read(household_id):
    """(the `VisitFacts` of one household as stored, the services' (id, pillar), its adoption rows as
    {service id: `StoredAdoption`}), in one query."""
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (("adoption", Adoption), ("assistance", Assistance), ("visit", Visit), ("service", Service))
    }
    adoptions, helped, pillars, visits = {}, {}, [], {}
    with connection.cursor() as cursor:
        cursor.execute(_VISIT_FACTS_SQL.format(**tables), [household_id] * 3)
        for kind, service_id, on, n, text, last_on, people in cursor.fetchall():
            if kind == 0:
                adoptions[service_id] = StoredAdoption(n, sql_date(on), text, sql_date(last_on), people)
            elif kind == 1:
                helped[(service_id, sql_date(on))] = n
            elif kind == 3:
                visits[sql_date(on)] = n
            else:
                pillars.append((service_id, text))
    adopted_on = {service_id: adoption.first_adopted_on for service_id, adoption in adoptions.items()}
    return VisitFacts(adopted_on, helped, visits), pillars, adoptions
