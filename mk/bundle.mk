# The browser bundle (typage + the unlock code), built with esbuild.
bundle:
