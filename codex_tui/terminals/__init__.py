"""Background terminals: commands started in the sandbox by `exec_command` that
outlive the call, read and typed into with `write_stdin`, listed in /ps, and all
stopped with the session, on exit and on SIGHUP/SIGTERM."""
