"""Who may see what: the one scoping function, and the rules for which pages a user may open.

Every user has one scope: a team (its members and leader), a commune or a
province (officials), or everything (superusers). Anything outside it is a
404, never a 403 that confirms it exists. Order of precedence when a user is
linked twice: superuser, then official, then member.

Page-level rules (member, leader, official, province administrator) are the
functions at the end of this module: views call them, and templates read the
same functions through `access` (see `Access` and teams.context_processors),
so no view or template derives a role on its own.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Commune, Hamlet, Household, Province

from .models import AccessLog, Adoption, Assistance, Member, Official, Service, Team, Visit


@dataclass(frozen=True)
class Scope:
    kind: str
    province: Province | None = None
    commune: Commune | None = None
    team: Team | None = None
    member: Member | None = None
    staff: bool = False  # a province official who is also an administrator (admin site)

    ALL = "all"
    PROVINCE = "province"
    COMMUNE = "commune"
    TEAM = "team"
    NONE = "none"

    @property
    def label(self):
        return {
            self.ALL: _("everything"),
            self.PROVINCE: self.province,
            self.COMMUNE: self.commune,
            self.TEAM: self.team,
            self.NONE: _("nothing"),
        }[self.kind]

    @property
    def is_field(self):
        return self.kind == self.TEAM

    @property
    def is_leader(self):
        return self.member is not None and self.member.is_leader

    @property
    def handles_personal_data(self):
        """Sees unmasked phones in lists and exports, answers data and erasure requests.

        The household's own team leader, the province's administrators, superusers.
        """
        return self.is_leader or self.kind == self.ALL or self.is_province_admin

    @property
    def is_province_admin(self):
        """A province official who is also staff: administers the province in the admin site."""
        return self.kind == self.PROVINCE and self.staff

    @property
    def is_official(self):
        return self.kind in (self.PROVINCE, self.COMMUNE)

    def _hamlet_filter(self):
        """A Q object restricting hamlets, or rows that carry province and commune like them."""
        if self.kind == self.ALL:
            return Q()
        if self.kind == self.PROVINCE:
            return Q(province=self.province)
        if self.kind == self.COMMUNE:
            return Q(commune=self.commune)
        if self.kind == self.TEAM:
            return Q(pk__in=self._team_hamlet_ids())
        return Q(pk__in=[])

    def _team_hamlet_ids(self):
        """The team's hamlet ids from the link table alone (`team.hamlets` would join the hamlets too)."""
        return Team.hamlets.through.objects.filter(team_id=self.team.pk).values("hamlet_id")

    def provinces(self):
        if self.kind == self.ALL:
            return Province.objects.all()
        if self.kind == self.NONE:
            return Province.objects.none()
        return Province.objects.filter(pk=self.province.pk)

    def communes(self):
        if self.kind == self.ALL:
            return Commune.objects.all()
        if self.kind == self.PROVINCE:
            return Commune.objects.filter(province=self.province)
        if self.kind == self.COMMUNE:
            return Commune.objects.filter(pk=self.commune.pk)
        if self.kind == self.TEAM:
            return Commune.objects.filter(pk=self.team.commune_id)
        return Commune.objects.none()

    def hamlets(self):
        return Hamlet.objects.filter(self._hamlet_filter())

    def households(self):
        if self.kind == self.TEAM:
            return Household.objects.filter(hamlet__in=self._team_hamlet_ids())
        if self.kind == self.COMMUNE:
            return Household.objects.filter(province_id=self.commune.province_id, hamlet__commune=self.commune)
        return Household.objects.filter(self._hamlet_filter())

    def hamlets_and_households(self):
        """(hamlets by name, households): a team's households filtered by the ids of the hamlets just read.

        For the household list, which shows both: a literal list of ids plans
        faster than `households()`'s subquery in the query that reads a page
        and its total. Other scopes get `households()`.
        """
        hamlets = self.hamlets().order_by("name")
        if self.kind != self.TEAM:
            return hamlets, self.households()
        return hamlets, Household.objects.filter(hamlet__in=[hamlet.pk for hamlet in hamlets])

    def teams(self):
        if self.kind == self.TEAM:
            return Team.objects.filter(pk=self.team.pk)
        if self.kind == self.NONE:
            return Team.objects.none()
        return Team.objects.filter(self._hamlet_filter())

    def members(self):
        if self.kind == self.TEAM:
            return Member.objects.filter(team=self.team)
        return Member.objects.filter(team__in=self.teams())

    def officials(self):
        if self.kind == self.ALL:
            return Official.objects.all()
        if self.kind == self.PROVINCE:
            return Official.objects.filter(province=self.province)
        # A commune official manages no officials, least of all their own row.
        return Official.objects.none()

    def users(self):
        """Logins a province administrator may attach: its teams' members, its officials, none assigned."""
        from django.contrib.auth import get_user_model

        User = get_user_model()
        if self.kind == self.ALL:
            return User.objects.all()
        if self.kind != self.PROVINCE:
            return User.objects.none()
        return User.objects.filter(
            Q(member__team__province=self.province)
            | Q(official__province=self.province)
            | Q(member__isnull=True, official__isnull=True, is_superuser=False)
        ).distinct()

    def _by_province(self, model, household_path, hamlet_path, manager="objects"):
        """Rows of a large table that carry the distribution key: a province scope filters on it alone.

        `household__in=households()` made PostgreSQL join or scan all of a
        province's three million visits to list, count or page them; the
        province column is indexed with the date (visits) and is the key a
        distributed database shards on. A commune scope adds the commune of the
        hamlet key the rows carry (their household's, indexed); a team its households.
        """
        rows = getattr(model, manager)
        if self.kind == self.ALL:
            return rows.all()
        if self.kind == self.PROVINCE:
            return rows.filter(province=self.province)
        if self.kind == self.COMMUNE:
            return rows.filter(province=self.commune.province_id, **{f"{hamlet_path}__commune": self.commune})
        return rows.filter(**{f"{household_path}__in": self.households()})

    def visits(self):
        """The visits that count (voided ones left out): what figures read."""
        return self._by_province(Visit, "household", "hamlet")

    def visits_with_voided(self):
        """Every visit, voided ones included: the admin's list and the audit trail."""
        return self._by_province(Visit, "household", "hamlet", manager="all_objects")

    def correctable_visits(self):
        """The visits this member or leader may correct or void in the field (DESIGN.md "Corrections").

        Their team's (recorded by one of its members), at a household of its hamlets, not voided, and
        visited on in the current or the previous calendar month. The visited-on date, not the date of
        arrival, because figures and monthly reports are counted by it: a visit synced late but dated
        three months back sits in figures already reported, and is corrected in the admin.
        """
        if self.kind != self.TEAM or self.member is None:
            return Visit.objects.none()
        return Visit.objects.filter(
            member__team=self.team, household__in=self.households(), visited_on__gte=correction_window_start()
        )

    def assistances(self):
        return self._by_province(Assistance, "visit__household", "visit__hamlet")

    def adoptions(self):
        return self._by_province(Adoption, "household", "hamlet")

    def unit_rows(self, rows):
        """Rows set for a province (no commune) or for one of its communes, such as coverage targets.

        Superusers read all; a province scope its province's; a commune scope
        the province-wide rows and its commune's own; anyone else none.
        """
        if self.kind == self.ALL:
            return rows
        if self.kind == self.PROVINCE:
            return rows.filter(province=self.province)
        if self.kind == self.COMMUNE:
            return rows.filter(province=self.province).filter(Q(commune__isnull=True) | Q(commune=self.commune))
        return rows.none()

    def access_logs(self):
        """Province administrators read their province's log; commune and team scopes read none."""
        if self.kind == self.ALL:
            return AccessLog.objects.all()
        if self.kind == self.PROVINCE:
            return AccessLog.objects.filter(province=self.province)
        return AccessLog.objects.none()

    def may_correct(self, visit):
        """`correctable_visits` for one visit already read, at a household of this scope: no query."""
        return (
            self.kind == self.TEAM
            and self.member is not None
            and visit.voided_at is None
            and visit.member.team_id == self.team.pk
            and visit.visited_on >= correction_window_start()
        )

    def for_model(self, model):
        """The scoped queryset of any model of Gõ Cửa (the admin's entry point)."""
        from django.contrib.auth import get_user_model

        by_model = {
            get_user_model(): self.users,
            Province: self.provinces,
            Commune: self.communes,
            Hamlet: self.hamlets,
            Household: self.households,
            Team: self.teams,
            Member: self.members,
            Official: self.officials,
            Visit: self.visits_with_voided,
            Assistance: self.assistances,
            Adoption: self.adoptions,
            Service: Service.objects.all,
            AccessLog: self.access_logs,
        }
        return by_model[model]()


NO_SCOPE = Scope(Scope.NONE)


def correction_window_start(today=None):
    """The first day a field correction reaches: the first of the previous calendar month."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def scope_for(user):
    """The one scope of a user, computed once per request."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_gocua_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._gocua_scope = scope
    return scope


def _compute_scope(user):
    if user.is_superuser:
        return Scope(Scope.ALL)
    official = Official.objects.select_related("province", "commune").filter(user=user).first()
    if official is not None:
        if official.commune_id:
            return Scope(Scope.COMMUNE, province=official.province, commune=official.commune)
        return Scope(Scope.PROVINCE, province=official.province, staff=user.is_staff)
    member = (
        Member.objects.select_related("team__commune", "team__province")
        .filter(user=user, active=True, team__active=True)
        .first()
    )
    if member is not None:
        team = member.team
        return Scope(Scope.TEAM, province=team.province, commune=team.commune, team=team, member=member)
    return NO_SCOPE


# Page-level rules. Each takes the request's user; the scope behind it is computed once per request.


def has_scope(user):
    """Attached to a team, a commune, a province or everything; the others see only a notice."""
    return scope_for(user).kind != Scope.NONE


def sees_everything(user):
    return scope_for(user).kind == Scope.ALL


def can_log_visits(user):
    """Field pages (households, visits, my work): an active member of an active team."""
    return scope_for(user).is_field


def is_team_leader(user):
    """The roster and moving a household away: the team's leader."""
    return scope_for(user).is_leader


def is_province_official(user):
    return scope_for(user).kind == Scope.PROVINCE


def is_commune_official(user):
    return scope_for(user).kind == Scope.COMMUNE


def is_province_admin(user):
    return scope_for(user).is_province_admin


def handles_personal_data(user):
    """Unmasked phones, a household's data and its erasure (see `Scope.handles_personal_data`)."""
    return scope_for(user).handles_personal_data


def can_read_coverage(user):
    """The coverage pages from the top, and targets: officials and superusers."""
    scope = scope_for(user)
    return scope.is_official or scope.kind == Scope.ALL


def can_read_households(user):
    """The households of the scope, phones masked, and each hamlet's follow-up list: officials (and superusers),
    to follow up refusals and pending visits; they do not log visits. Teams have their own field list."""
    scope = scope_for(user)
    return scope.is_official or scope.kind == Scope.ALL


def can_read_province_pages(user):
    """A province's page shows every commune of it: a province-wide scope or wider."""
    return scope_for(user).kind in (Scope.ALL, Scope.PROVINCE)


def can_read_commune_pages(user):
    """A commune's page shows every hamlet of it: not for a team, whose scope is some hamlets."""
    return scope_for(user).kind != Scope.TEAM


def can_import_households(user):
    """Household lists from Excel: a commune's official, a team's leader (their hamlets), superusers."""
    scope = scope_for(user)
    return scope.kind in (Scope.ALL, Scope.COMMUNE) or scope.is_leader


def can_import_hamlets(user):
    """Hamlet lists: a commune's official (their commune) and superusers."""
    return scope_for(user).kind in (Scope.ALL, Scope.COMMUNE)


def can_open_admin(user):
    """The admin site lets staff in; the menu shows its link to them alone."""
    return user.is_staff


def coverage_provinces(user):
    """The provinces whose coverage pages the user may open (the scope names a commune's province too)."""
    return scope_for(user).provinces() if can_read_province_pages(user) else Province.objects.none()


def coverage_communes(user):
    """The communes whose coverage pages the user may open."""
    return scope_for(user).communes() if can_read_commune_pages(user) else Commune.objects.none()


def can_submit_reports(user):
    """The monthly report is submitted by its commune's officials (DESIGN.md "Monthly report")."""
    return scope_for(user).kind == Scope.COMMUNE


def can_set_reporting_periods(user):
    """A province chooses its reporting periods: its officials, or a superuser."""
    return scope_for(user).kind in (Scope.ALL, Scope.PROVINCE)


PAGE_RULES = {
    rule.__name__: rule
    for rule in (
        has_scope,
        sees_everything,
        can_log_visits,
        is_team_leader,
        is_province_official,
        is_commune_official,
        is_province_admin,
        handles_personal_data,
        can_read_coverage,
        can_read_households,
        can_read_province_pages,
        can_read_commune_pages,
        can_import_households,
        can_import_hamlets,
        can_open_admin,
        can_submit_reports,
        can_set_reporting_periods,
    )
}


class Access:
    """The page rules of one user for templates: `{% if access.can_read_coverage %}` calls `can_read_coverage`."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        try:
            rule = PAGE_RULES[name]
        except KeyError:
            raise AttributeError(name) from None
        return rule(self._user)
