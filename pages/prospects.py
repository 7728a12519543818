"""prospects (being built)."""

import streamlit as st

st.title("prospects")
st.info("Coming in this release.")
