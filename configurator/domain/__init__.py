"""Domain: pure rules (engine, rendering, money). Imports nothing of Flask, SQL or HTTP."""
