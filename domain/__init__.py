"""The receivables domain: aggregates, their events, money and pure policies."""
