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
read_alliance  # msprogress/sources.py names each reader by string ('module:function')
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
_.by_registry  # msprogress/manifest.py: fields of manifest.json, written by the build, read by people
_.grants_by_record_type  # (same)
_.of  # (same): SyntheticLabel.of, the real snapshot a synthetic one was resampled from
_.rows_hidden  # msprogress/ingest/base.py FileRead -> manifest.py FileEntry(**vars(f)): manifest.json field
_.StartElementHandler  # msprogress/ingest/member_grants.py: expat calls the handler it is given
_.compress_type  # tests/bad_inputs/make_corpus.py: zipfile reads the ZipInfo setting

_.auto_size  # msprogress/deck.py: python-pptx text-frame settings, read by PowerPoint
_.margin_bottom  # (same)
_.margin_left  # (same)
_.margin_right  # (same)
_.margin_top  # (same)
_.rgb  # (same): a run's colour
