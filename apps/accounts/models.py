from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class User(AbstractUser):
    """Every person who signs in: officers and managers in the admin, citizens in the app.

    Citizens have no usable password and no personal data here: their name, phone and e-mail
    live encrypted in ``identity.ReporterIdentity``. A citizen account can never become staff
    or a superuser, nor get a password: the database refuses it (docs/security.md).
    """

    is_citizen = models.BooleanField(
        _("citizen"),
        default=False,
        editable=False,
        help_text=_("Signed up in the app. Never staff, never a superuser, never a password."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                # An unusable password is stored as "!" followed by random characters.
                condition=models.Q(is_citizen=False)
                | models.Q(is_staff=False, is_superuser=False, password__startswith="!"),  # noqa: S106
                name="accounts_user_citizen_never_staff",
            ),
        ]


class Sector(models.TextChoices):
    """The functional domain an agency works in; categories name the sector responsible."""

    SDA = "sda", _("Water resources (SDA)")
    GULKARMAT = "gulkarmat", _("Fire and rescue (Gulkarmat)")
    BINA_MARGA = "bina_marga", _("Roads (Bina Marga)")
    LINGKUNGAN_HIDUP = "lingkungan_hidup", _("Environment (Lingkungan Hidup)")
    PERHUBUNGAN = "perhubungan", _("Transport (Perhubungan)")
    PERTAMANAN = "pertamanan", _("Parks and urban forest (Pertamanan dan Hutan Kota)")
    CIPTA_KARYA = "cipta_karya", _("Building and spatial planning (Cipta Karya, Tata Ruang)")
    SOSIAL = "sosial", _("Social affairs (Sosial)")
    KESEHATAN = "kesehatan", _("Health (Kesehatan)")
    SATPOL_PP = "satpol_pp", _("Public order (Satpol PP)")
    BPBD = "bpbd", _("Disaster management (BPBD)")
    PEMERINTAHAN = "pemerintahan", _("Local government (kota, kecamatan, kelurahan)")
    KOMINFOTIK = "kominfotik", _("Central triage (Diskominfotik)")


class Agency(TimeStampedModel):
    """A unit that can hold a ticket: an OPD (Dinas/Badan), a Suku Dinas, a local office.

    ``level`` + ``jurisdiction_code`` name the area it acts on by its official Kemendagri code
    (``31`` for the province, ``31.71`` for Jakarta Pusat, ...). Codes rather than a foreign
    key keep ``accounts`` below ``routing`` in the dependency order (docs/adr/0002).
    """

    class Kind(models.TextChoices):
        DINAS = "dinas", _("Dinas / Badan (provincial agency)")
        SUKU_DINAS = "suku_dinas", _("Suku Dinas (city branch of an agency)")
        SATPOL_PP = "satpol_pp", _("Satpol PP unit")
        KOTA = "kota", _("City / regency administration")
        KECAMATAN = "kecamatan", _("Kecamatan office")
        KELURAHAN = "kelurahan", _("Kelurahan office")
        TRIAGE = "triage", _("Central triage")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        KOTA = "kota", _("Kota / kabupaten")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    jurisdiction_code = models.CharField(_("jurisdiction code"), max_length=20, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    shows_staff_names = models.BooleanField(
        _("show staff names to reporters"),
        default=False,
        help_text=_("If set, the public timeline names the officer who acted."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        permissions = [
            ("view_agency_reports", _("Can view the tickets of this agency")),
            ("act_on_agency_reports", _("Can act on the tickets of this agency")),
            ("supervise_agency", _("Can supervise this agency (grants, assignments)")),
        ]
        indexes = [
            # Routing looks up "the sector's unit for one of these area codes" on every report.
            models.Index(
                fields=["sector", "jurisdiction_code"],
                condition=models.Q(is_active=True),
                name="agency_routing_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["sector", "level", "jurisdiction_code"],
                condition=models.Q(is_active=True) & ~models.Q(kind="triage"),
                name="agency_one_active_unit_per_sector_and_area",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's place in an agency. Object permissions on the agency follow from the role."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        SUPERVISOR = "supervisor", _("Supervisor")
        HEAD = "head", _("Head of unit")
        MONITOR = "monitor", _("Monitor (read-only, no personal data)")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_once_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.role})"
