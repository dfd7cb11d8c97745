"""Table 11's categories, the six retrieval services, and the classifier that assigns them."""

from categories.classifier import Classification, Classifier
from categories.taxonomy import (
    CATEGORIES,
    NOT_SPECIFIED,
    PROFILE_SECTIONS,
    SERVICE_LIST,
    Category,
    ProfileSection,
    Service,
    category,
    profile_section,
    service,
)

__all__ = ["CATEGORIES", "NOT_SPECIFIED", "PROFILE_SECTIONS", "SERVICE_LIST", "Category", "Classification",
           "Classifier", "ProfileSection", "Service", "category", "profile_section", "service"]
