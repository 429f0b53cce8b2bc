from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agency, Sector
from apps.core.models import TimeStampedModel


class Area(models.Model):
    """An administrative area of DKI Jakarta with its official Kemendagri code.

    Kelurahan come from the boundary file; kecamatan, kota/kabupaten and the province are
    derived from them by union (``load_areas``).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        KOTA = "kota", _("Kota / kabupaten")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")

    # Length of the official code at each level: "31" / "31.71" / "31.71.01" / "31.71.01.1001".
    CODE_LENGTH = {Level.PROVINCE: 2, Level.KOTA: 5, Level.KECAMATAN: 8, Level.KELURAHAN: 13}

    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="area_level_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestors(self) -> list["Area"]:
        """This area and its parents, most specific first (uses loaded parents)."""
        chain: list[Area] = []
        node: Area | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Category(TimeStampedModel):
    """A kind of problem a citizen can report: the service catalogue (Open311 services)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True)
    sector = models.CharField(
        _("responsible sector"),
        max_length=20,
        choices=Sector.choices,
        help_text=_("Which kind of agency handles this category."),
    )
    routing_level = models.CharField(
        _("routing level"),
        max_length=20,
        choices=Area.Level.choices,
        default=Area.Level.KOTA,
        help_text=_(
            "The most local level the sector acts at: kota for a Dinas acting through its "
            "Suku Dinas, kelurahan for the kelurahan office, province for a provincial body."
        ),
    )
    sla_days = models.PositiveSmallIntegerField(
        _("SLA target (days)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sla_days__gte=1), name="category_sla_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name_id


class RoutingRule(TimeStampedModel):
    """An override: reports of ``category`` inside ``area`` go to ``agency``.

    The most specific area wins (kelurahan over kecamatan over kota over province).
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"],
                condition=models.Q(is_active=True),
                name="routing_rule_one_active_per_category_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code} @ {self.area.code} → {self.agency.code}"
