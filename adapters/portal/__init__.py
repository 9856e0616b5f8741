"""The payer portal: server-rendered pages and a JSON API over the read models."""
