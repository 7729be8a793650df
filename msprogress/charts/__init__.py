"""Pure figure builders, one module per page: a DataFrame in, a plotly figure out.

No Streamlit and no queries here, so tests call them directly. `common` holds the shared
layout, fonts and the offline plotly config every chart is shown with.
"""
