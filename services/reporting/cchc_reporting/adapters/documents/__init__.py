"""The documents for the City People's Committee (DOCX/PDF, Nghị định 30/2020/NĐ-CP)."""

from cchc_reporting.adapters.documents.builder import DocumentBuilder
from cchc_reporting.adapters.documents.common import Grounds, Signer, render

__all__ = ["DocumentBuilder", "Grounds", "Signer", "render"]
