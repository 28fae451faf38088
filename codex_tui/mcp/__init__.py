"""MCP client: tools from Model Context Protocol servers (stdio or streamable HTTP),
offered to the model as `mcp__<server>__<tool>` under the same approval policy.

The `mcp` SDK is imported only where a server is started (`connection`): it
takes about half a second to import and must stay off the app's first frame.
"""
