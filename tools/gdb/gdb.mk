# The pure parts of `make gdb`'s commands (tools/gdb/vireo/: guest address translation,
# core files, exit lines), tested on the host with pytest; `make test` runs them after the
# cmocka unit tests.
.PHONY: gdb-unit
gdb-unit:
	$(PYTHON) -m pytest -q -p no:cacheprovider tools/gdb/tests
