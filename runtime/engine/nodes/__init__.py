"""Built-in node types, one module each; `registry` imports every module here."""
