/* sy-cli.h
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses: success, a user error (one line on stderr), a usage error. */
#define SY_CLI_OK          0
#define SY_CLI_USER_ERROR  1
#define SY_CLI_USAGE_ERROR 2

int sy_cli_run (int argc, char *argv[]);

G_END_DECLS
