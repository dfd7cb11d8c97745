from smesearch.cli import main

main()
