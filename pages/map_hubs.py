"""Map & hubs: the 4,000 communities over the state outlines."""

import pydeck as pdk
import streamlit as st

from coverage.dataset import default_communities, state_outlines

communities = default_communities()
st.title("Rural Coverage Planner")
st.caption(f"{len(communities):,} communities, {communities.population.sum():,} people")

layers = [
    pdk.Layer("GeoJsonLayer", state_outlines(), id="states", stroked=True, filled=True,
              get_fill_color=[244, 244, 240], get_line_color=[150, 150, 150], line_width_min_pixels=1),
    pdk.Layer("ScatterplotLayer", communities[["name", "state", "lat", "lon", "population"]], id="communities",
              get_position=["lon", "lat"], get_radius="population", radius_scale=0.4, radius_min_pixels=1.5,
              get_fill_color=[0, 114, 178, 200], pickable=True),
]
deck = pdk.Deck(layers=layers, map_provider=None,
                initial_view_state=pdk.ViewState(latitude=38.5, longitude=-96.5, zoom=3.4),
                tooltip={"text": "{name}, {state}\npopulation {population}"})
st.pydeck_chart(deck, height=620)
