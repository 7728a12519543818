"""review (being built)."""

import streamlit as st

st.title("review")
st.info("Coming in this release.")
