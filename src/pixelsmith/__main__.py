from pixelsmith.cli import main

main()
