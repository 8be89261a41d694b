"""Letters and statements: templates to PDF."""
