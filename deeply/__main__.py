from deeply.cli import cli

cli()
