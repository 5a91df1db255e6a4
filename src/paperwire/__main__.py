from paperwire.cli import app

app(prog_name="paperwire")
