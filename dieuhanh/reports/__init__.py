"""reports: build consolidated reports as Decree 30 DOCX, XLSX and PDF (pure Python, no Django)."""
