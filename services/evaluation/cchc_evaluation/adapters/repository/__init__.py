"""The SQL repositories, one module per concern, mapping rows to domain objects and back."""
