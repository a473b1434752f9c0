/* sy-test-script.h — SHUYUAN_TEST_SCRIPT: a test hook that answers quiz questions
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-window.h"

G_BEGIN_DECLS

void sy_test_script_start (SyWindow   *window,
                           const char *path);

G_END_DECLS
