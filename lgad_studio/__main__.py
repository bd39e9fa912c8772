from lgad_studio.cli import main

raise SystemExit(main())
