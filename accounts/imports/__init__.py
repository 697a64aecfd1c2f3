"""The association's registry, imported from a spreadsheet (CSV or XLSX)."""
