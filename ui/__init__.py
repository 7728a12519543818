"""Streamlit glue: session state, cached calls into `analysis`, charts and shared widgets."""
