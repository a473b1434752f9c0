/* sy-format.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-format.h"

/* Class hours and credits are often fractional (0.5 credit), but plural rules want an
 * integer. English (and most languages) put fractions in the plural, so a fraction counts
 * as at least 2. */
static gulong
plural_count (double value)
{
  double rounded = round (value * 100) / 100;

  if (rounded <= 0)
    return 0;
  if (rounded == floor (rounded))
    return (gulong) rounded;
  return (gulong) MAX (2, ceil (rounded));
}

/* "%g" drops a useless ".0" and keeps "1.5", in the user's locale. */
static char *
format_number (double value)
{
  return g_strdup_printf ("%g", round (value * 100) / 100);
}

/**
 * sy_format_class_hours:
 *
 * Returns: (transfer full): e.g. "3 class hours"
 */
char *
sy_format_class_hours (double hours)
{
  g_autofree char *number = format_number (hours);

  /* Translators: %s is a number of class hours, e.g. "3" or "1.5" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s class hour", "%s class hours",
                                       plural_count (hours)),
                          number);
}

/**
 * sy_format_credits:
 *
 * Returns: (transfer full): e.g. "1 credit"
 */
char *
sy_format_credits (double credits)
{
  g_autofree char *number = format_number (credits);

  /* Translators: %s is a number of continuing-education credits, e.g. "1" or "0.5" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s credit", "%s credits",
                                       plural_count (credits)),
                          number);
}

/**
 * sy_format_course_facts:
 *
 * Returns: (transfer full): the class hours and, when the course earns any, the credits:
 *   "3 class hours · 1 credit"
 */
char *
sy_format_course_facts (SyCourse *course)
{
  g_autofree char *hours = NULL;
  g_autofree char *credits = NULL;

  g_return_val_if_fail (SY_IS_COURSE (course), NULL);

  hours = sy_format_class_hours (sy_course_get_class_hours (course));
  if (sy_course_get_credits (course) <= 0)
    return g_steal_pointer (&hours);

  credits = sy_format_credits (sy_course_get_credits (course));
  /* Translators: the class hours and the credits of a course: "3 class hours · 1 credit" */
  return g_strdup_printf (_("%s · %s"), hours, credits);
}

/**
 * sy_format_progress:
 *
 * Returns: (transfer full): e.g. "2 of 7 done"
 */
char *
sy_format_progress (guint n_done,
                    guint n_items)
{
  if (n_items == 0)
    return g_strdup (_("Nothing to do yet"));

  /* Translators: progress through a course: "2 of 7 done" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u done", "%u of %u done",
                                       n_items),
                          n_done, n_items);
}

/**
 * sy_format_minutes:
 *
 * Returns: (transfer full): e.g. "8 minutes"
 */
char *
sy_format_minutes (double minutes)
{
  int n = (int) MAX (1, round (minutes));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", n), n);
}

const char *
sy_format_item_type (SyItemType type)
{
  switch (type)
    {
    case SY_ITEM_LESSON:
      return _("Lesson");
    case SY_ITEM_QUIZ:
      return _("Quiz");
    case SY_ITEM_SURVEY:
      return _("Survey");
    case SY_ITEM_PUZZLE:
      return _("Puzzle");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * sy_format_item_icon:
 *
 * Returns: the name of a symbolic icon from the standard set for an item type
 */
const char *
sy_format_item_icon (SyItemType type)
{
  switch (type)
    {
    case SY_ITEM_LESSON:
      return "x-office-document-symbolic";
    case SY_ITEM_QUIZ:
      return "dialog-question-symbolic";
    case SY_ITEM_SURVEY:
      return "view-list-bullet-symbolic";
    case SY_ITEM_PUZZLE:
      return "input-gaming-symbolic";
    default:
      g_return_val_if_reached (NULL);
    }
}
