"""Names vulture (the dead-code check, tests/test_dead_code.py) cannot see used, each with why.

A line here is a use vulture cannot see (a library reads the attribute, a name is looked up by
string) or, marked TODO(lead), dead code in a file another change is rewriting: remove both the
code and its line here when that change lands.
"""

# --- used where vulture cannot see it ------------------------------------------------------------------
_.word_wrap  # msprogress/deck.py: python-pptx reads the text frame's attribute
_.topojson  # msprogress/export_images.py: plotly.io.defaults.topojson, read by kaleido
_.freeze_panes  # msprogress/exports.py, ingest/member_grants.py: openpyxl worksheet setting
_.sheet_state  # msprogress/ingest/member_grants.py: openpyxl hides the lookup sheet
_.created  # msprogress/ingest/member_grants.py, tests/bad_inputs/make_corpus.py: openpyxl properties
_.modified  # (same): fixed workbook timestamps, so the template is byte-stable
_.tickfont  # msprogress/presenter.py: plotly colour-bar setting
read_alliance  # msprogress/ingest/build.py READERS names each reader by string
read_charity  # (same)
read_public_funders  # (same)
_.method  # tests/test_security.py Sent: shown in failure messages (the dataclass repr)
_.daemon_threads  # tests/test_refresh.py, test_security.py: http.server hooks
_.request_queue_size  # (same)
_.do_GET  # (same)
_.do_POST  # (same)
_.log_message  # (same)
_.string_value  # bench/stclient.py: protobuf fields of a WidgetState, sent to the server
_.bool_value  # (same)

# --- TODO(lead): dead code in files being rewritten by another change ----------------------------------
nondrug_title  # TODO(lead): dead code in msprogress/charts/pipeline.py — remove
_n  # TODO(lead): dead code in msprogress/charts/pipeline.py — remove
field_names  # TODO(lead): dead code in msprogress/filters.py — remove
Progress  # TODO(lead): dead code in msprogress/ingest/build.py — remove
OPTIONAL  # TODO(lead): dead code in msprogress/ingest/nih_exporter.py — remove
