"""The nudges tables, one numbered step at a time (versioned under the owner "nudges")."""
