"""Table 11's categories, the six retrieval services, and the classifier that assigns them."""

from categories.classifier import Classification, Classifier
from categories.taxonomy import CATEGORIES, NOT_SPECIFIED, SERVICE_LIST, Category, Service, category, service

__all__ = ["CATEGORIES", "NOT_SPECIFIED", "SERVICE_LIST", "Category", "Classification", "Classifier", "Service",
           "category", "service"]
