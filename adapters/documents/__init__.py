"""Invoice and account statement PDFs in the payer's language."""

from adapters.documents._fonts import FontMissing
from adapters.documents.invoice import invoice_pdf
from adapters.documents.statement import statement_pdf

__all__ = ["FontMissing", "invoice_pdf", "statement_pdf"]
