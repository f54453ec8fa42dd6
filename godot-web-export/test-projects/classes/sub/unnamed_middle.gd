extends ToolBase
