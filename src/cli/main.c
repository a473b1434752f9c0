/* main.c — shuyuan-cli
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "sy-cli.h"
#include "sy-util.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  sy_core_init ();
  return sy_cli_run (argc, argv);
}
