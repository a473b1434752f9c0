/* sy-format.h — how the app words numbers, item types and progress
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-course.h"

G_BEGIN_DECLS

char       *sy_format_class_hours   (double      hours);
char       *sy_format_credits       (double      credits);
char       *sy_format_course_facts  (SyCourse   *course);
char       *sy_format_progress      (guint       n_done,
                                     guint       n_items);
char       *sy_format_minutes       (double      minutes);
const char *sy_format_item_type     (SyItemType  type);
const char *sy_format_item_icon     (SyItemType  type);

G_END_DECLS
