"""Images the person attaches and the model looks at: decoded and downscaled with
Pillow, kept by content hash under `$CODEX_TUI_HOME/attachments/`, and sent as
data URLs. No Textual here; Pillow is imported only when an image is handled."""
