"""The curated list of job roles, and the families the directory groups them in.

Labels are written in English and translated (Korean is the default
language); a role's value is a stable slug stored on profiles and communities.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRole(models.TextChoices):
    PERFORMANCE_MARKETING = "performance-marketing", _("Performance marketing")
    BRAND_MARKETING = "brand-marketing", _("Brand marketing")
    CONTENT_MARKETING = "content-marketing", _("Content marketing")
    PR = "pr", _("PR and communications")
    HR = "hr", _("HR")
    RECRUITING = "recruiting", _("Recruiting")
    BACKEND = "backend-development", _("Backend development")
    FRONTEND = "frontend-development", _("Frontend development")
    MOBILE = "mobile-development", _("Mobile development")
    DATA = "data-analysis", _("Data analysis")
    PRODUCT = "product-management", _("Product management")
    DESIGN = "product-design", _("Product design")
    SALES = "sales", _("Sales")
    FINANCE = "finance", _("Finance and accounting")
    STRATEGY = "strategy", _("Strategy and planning")


class RoleFamily(models.TextChoices):
    MARKETING = "marketing", _("Marketing and PR")
    PEOPLE = "people", _("People and HR")
    ENGINEERING = "engineering", _("Engineering and data")
    PRODUCT = "product", _("Product and design")
    BUSINESS = "business", _("Business")


ROLE_FAMILY = {
    JobRole.PERFORMANCE_MARKETING: RoleFamily.MARKETING,
    JobRole.BRAND_MARKETING: RoleFamily.MARKETING,
    JobRole.CONTENT_MARKETING: RoleFamily.MARKETING,
    JobRole.PR: RoleFamily.MARKETING,
    JobRole.HR: RoleFamily.PEOPLE,
    JobRole.RECRUITING: RoleFamily.PEOPLE,
    JobRole.BACKEND: RoleFamily.ENGINEERING,
    JobRole.FRONTEND: RoleFamily.ENGINEERING,
    JobRole.MOBILE: RoleFamily.ENGINEERING,
    JobRole.DATA: RoleFamily.ENGINEERING,
    JobRole.PRODUCT: RoleFamily.PRODUCT,
    JobRole.DESIGN: RoleFamily.PRODUCT,
    JobRole.SALES: RoleFamily.BUSINESS,
    JobRole.FINANCE: RoleFamily.BUSINESS,
    JobRole.STRATEGY: RoleFamily.BUSINESS,
}


class ExperienceBand(models.TextChoices):
    JUNIOR = "0-2", _("0–2 years")
    MID = "3-5", _("3–5 years")
    SENIOR = "6-9", _("6–9 years")
    VETERAN = "10+", _("10+ years")
