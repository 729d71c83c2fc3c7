"""The agreements tables, one numbered step at a time (versioned under the owner "agreements")."""
