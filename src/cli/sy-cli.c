/* sy-cli.c — the commands of shuyuan-cli
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin shell over the core: every command opens the store, calls the same functions the
 * app calls, and prints. Human output follows the user's language; --json output is for
 * scripts and stays the same whatever the language.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <unistd.h>

#include "sy-bundle.h"
#include "sy-cli.h"
#include "sy-package.h"
#include "sy-report.h"
#include "sy-store.h"
#include "sy-sync.h"
#include "sy-util.h"
#include <json-c/json.h>

typedef struct
{
  const char *prgname;
  char       *data_dir;
  SyStore    *store;
} Cli;

typedef int (*CommandFunc) (Cli *cli, int argc, char **argv);

static int
user_error (Cli        *cli,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static int
user_error (Cli        *cli,
            const char *format,
            ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line: a newline in a message would split it. */
  g_strdelimit (msg, "\n", ' ');
  g_printerr ("%s: %s\n", cli->prgname, msg);
  return SY_CLI_USER_ERROR;
}

static int
usage_error (Cli            *cli,
             GOptionContext *context,
             const char     *message)
{
  g_autofree char *help = context ? g_option_context_get_help (context, TRUE, NULL) : NULL;

  g_printerr ("%s: %s\n", cli->prgname, message);
  if (help)
    g_printerr ("\n%s", help);
  return SY_CLI_USAGE_ERROR;
}

/* Parses a command's options (@entries, if any); on error prints usage and returns FALSE. */
static gboolean
parse_options (Cli                *cli,
               GOptionContext     *context,
               const GOptionEntry *entries,
               int                *argc,
               char             ***argv,
               int                *status)
{
  g_autoptr(GError) error = NULL;

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = usage_error (cli, context, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_store (Cli  *cli,
            int  *status)
{
  g_autoptr(GError) error = NULL;

  cli->store = sy_store_new (cli->data_dir);
  if (!sy_store_open (cli->store, NULL, &error))
    {
      *status = user_error (cli, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* One line of JSON; frees @obj. */
static char *
json_take_string (json_object *obj)
{
  char *ret = g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));

  json_object_put (obj);
  return ret;
}

/* --json output of a list command. Returns %SY_CLI_OK. */
static int
print_json_array (GPtrArray *array,
                  char     *(*to_json) (gpointer item))
{
  g_print ("[");
  for (guint i = 0; i < array->len; i++)
    {
      g_autofree char *json = to_json (g_ptr_array_index (array, i));
      g_print ("%s\n  %s", i ? "," : "", json);
    }
  g_print ("%s]\n", array->len ? "\n" : "");
  return SY_CLI_OK;
}

/* ---- import ---- */

static int
cmd_import (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("PATH… — install course packages"));
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Installs course folders or .zip packages. A newer version "
                                  "replaces the installed one and keeps learners' progress."));
  if (!parse_options (cli, context, NULL, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return usage_error (cli, context, _("Give at least one course folder or .zip."));
  if (!open_store (cli, &status))
    return status;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(SyCourse) course = NULL;
      SyImportOutcome outcome;
      const char *title;

      course = sy_store_import (cli->store, file, &outcome, NULL, &error);
      if (course == NULL)
        {
          status = user_error (cli, "%s: %s", argv[i], error->message);
          continue;
        }

      title = sy_text_get (sy_course_get_title (course), NULL);
      switch (outcome)
        {
        case SY_IMPORT_INSTALLED:
          g_print (_("Installed “%s” (%s, version %lld)\n"), title, sy_course_get_id (course),
                   (long long) sy_course_get_version (course));
          break;
        case SY_IMPORT_UPDATED:
          g_print (_("Updated “%s” to version %lld\n"), title,
                   (long long) sy_course_get_version (course));
          break;
        case SY_IMPORT_UNCHANGED:
        default:
          g_print (_("“%s” version %lld is already installed\n"), title,
                   (long long) sy_course_get_version (course));
          break;
        }
    }
  return status;
}

/* ---- courses ---- */

static char *
course_summary_json (gpointer course)
{
  return sy_course_to_json (course, FALSE);
}

static int
cmd_courses (Cli   *cli,
             int    argc,
             char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list installed courses"));
  g_autoptr(GPtrArray) courses = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("This command takes no arguments."));
  if (!open_store (cli, &status))
    return status;

  if (!(courses = sy_store_list_courses (cli->store, NULL, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    return print_json_array (courses, course_summary_json);

  if (courses->len == 0)
    {
      g_print (_("No courses installed. Add one with: %s import PATH\n"), cli->prgname);
      return SY_CLI_OK;
    }
  for (guint i = 0; i < courses->len; i++)
    {
      SyCourse *course = g_ptr_array_index (courses, i);

      g_print ("%-32s  v%-3lld  %-16s  %5.1f h  %3u  %s\n",
               sy_course_get_id (course), (long long) sy_course_get_version (course),
               sy_course_get_programme (course), sy_course_get_class_hours (course),
               sy_course_get_n_items (course),
               sy_text_get (sy_course_get_title (course), NULL));
    }
  return SY_CLI_OK;
}

/* ---- course ---- */

static const char *
item_type_display (SyItemType type)
{
  switch (type)
    {
    case SY_ITEM_LESSON: return _("Lesson");
    case SY_ITEM_QUIZ: return _("Quiz");
    case SY_ITEM_SURVEY: return _("Survey");
    case SY_ITEM_PUZZLE: return _("Puzzle");
    default: return "";
    }
}

static int
cmd_course (Cli   *cli,
            int    argc,
            char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show a course"));
  g_autoptr(SyCourse) course = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *modules;
  SyText *description;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (cli, context, _("Give one course id (see the courses command)."));
  if (!open_store (cli, &status))
    return status;

  if (!(course = sy_store_get_course (cli->store, argv[1], NULL, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    {
      g_autofree char *out = sy_course_to_json (course, TRUE);
      g_print ("%s\n", out);
      return SY_CLI_OK;
    }

  g_print ("%s\n", sy_text_get (sy_course_get_title (course), NULL));
  if ((description = sy_course_get_description (course)))
    g_print ("%s\n", sy_text_get (description, NULL));
  g_print (_("Id: %s, version %lld\n"), sy_course_get_id (course),
           (long long) sy_course_get_version (course));
  g_print (_("Programme: %s\n"), sy_programme_display_name (sy_course_get_programme (course)));
  g_print (_("Class hours: %g, credits: %g\n"), sy_course_get_class_hours (course),
           sy_course_get_credits (course));

  modules = sy_course_get_modules (course);
  for (guint i = 0; i < modules->len; i++)
    {
      SyModule *module = g_ptr_array_index (modules, i);

      g_print ("\n%s\n", sy_text_get (module->title, NULL));
      for (guint j = 0; j < module->items->len; j++)
        {
          SyItem *item = g_ptr_array_index (module->items, j);

          g_print ("  %-8s  %-24s  %s\n", item_type_display (item->type), item->id,
                   sy_text_get (item->title, NULL));
        }
    }
  return SY_CLI_OK;
}

/* ---- learners ---- */

static char *
learner_json (gpointer data)
{
  SyLearner *learner = data;
  json_object *obj = json_object_new_object ();

  json_object_object_add (obj, "uuid", json_object_new_string (sy_learner_get_uuid (learner)));
  json_object_object_add (obj, "name", json_object_new_string (sy_learner_get_name (learner)));
  json_object_object_add (obj, "role",
                          json_object_new_string (sy_role_to_string (sy_learner_get_role (learner))));
  if (sy_learner_get_external_id (learner))
    json_object_object_add (obj, "external_id",
                            json_object_new_string (sy_learner_get_external_id (learner)));
  if (sy_learner_get_avatar (learner))
    json_object_object_add (obj, "avatar", json_object_new_string (sy_learner_get_avatar (learner)));
  json_object_object_add (obj, "created", json_object_new_string (sy_learner_get_created (learner)));
  return json_take_string (obj);
}

static int
cmd_learners_add (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autofree char *role_str = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *external_id = NULL;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_str,
      N_("learner (the default), teacher or coordinator"), N_("ROLE") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin,
      N_("Protect the profile with a PIN of 4 to 8 digits (required for teachers and "
         "coordinators)"), N_("PIN") },
    { "external-id", 0, 0, G_OPTION_ARG_STRING, &external_id,
      N_("An id from outside, such as a doctor's registration number"), N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — add a learner"));
  g_autoptr(SyLearner) learner = NULL;
  g_autoptr(GError) error = NULL;
  SyRole role = SY_ROLE_LEARNER;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (cli, context, _("Give one name (quote it if it has spaces)."));
  if (role_str && !sy_role_from_string (role_str, &role))
    return usage_error (cli, context, _("The role is learner, teacher or coordinator."));
  if (!open_store (cli, &status))
    return status;

  if (!(learner = sy_store_add_learner_full (cli->store, argv[1], role, pin, external_id,
                                             NULL, &error)))
    return user_error (cli, "%s", error->message);

  g_print ("%s\n", sy_learner_get_uuid (learner));
  return SY_CLI_OK;
}

static int
cmd_learners (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) learners = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (argc > 1 && g_str_equal (argv[1], "add"))
    return cmd_learners_add (cli, argc - 1, argv + 1);

  context = g_option_context_new (_("[add NAME] — list or add learners"));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("Unknown learners command; use “learners” or “learners add NAME”."));
  if (!open_store (cli, &status))
    return status;

  if (!(learners = sy_store_list_learners (cli->store, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    return print_json_array (learners, learner_json);
  if (learners->len == 0)
    {
      g_print (_("No learners yet. Add one with: %s learners add NAME\n"), cli->prgname);
      return SY_CLI_OK;
    }
  for (guint i = 0; i < learners->len; i++)
    {
      SyLearner *learner = g_ptr_array_index (learners, i);

      g_print ("%s  %-12s  %s\n", sy_learner_get_uuid (learner),
               sy_role_to_string (sy_learner_get_role (learner)), sy_learner_get_name (learner));
    }
  return SY_CLI_OK;
}

/* ---- progress ---- */

static char *
progress_json (gpointer data)
{
  SyCourseProgress *p = data;
  json_object *obj = json_object_new_object ();
  g_autofree char *title = sy_text_to_json (p->course_title);

  json_object_object_add (obj, "learner", json_object_new_string (p->learner_uuid));
  json_object_object_add (obj, "name", json_object_new_string (p->learner_name));
  if (p->external_id)
    json_object_object_add (obj, "external_id", json_object_new_string (p->external_id));
  json_object_object_add (obj, "course", json_object_new_string (p->course_id));
  json_object_object_add (obj, "title", json_tokener_parse (title));
  json_object_object_add (obj, "programme", json_object_new_string (p->programme));
  json_object_object_add (obj, "items", json_object_new_int (p->n_items));
  json_object_object_add (obj, "done", json_object_new_int (p->n_done));
  json_object_object_add (obj, "seconds", json_object_new_double (p->seconds));
  json_object_object_add (obj, "completed", p->completed ? json_object_new_string (p->completed) : NULL);
  json_object_object_add (obj, "class_hours", json_object_new_double (p->completed ? p->class_hours : 0));
  json_object_object_add (obj, "credits", json_object_new_double (p->completed ? p->credits : 0));
  return json_take_string (obj);
}

static int
cmd_progress (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  g_autofree char *learner = NULL;
  GOptionEntry entries[] = {
    { "learner", 0, 0, G_OPTION_ARG_STRING, &learner, N_("Only this learner (a UUID)"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— learners' progress in their courses"));
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("This command takes no arguments."));
  if (!open_store (cli, &status))
    return status;

  if (!(list = sy_store_list_progress (cli->store, learner, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    return print_json_array (list, progress_json);
  if (list->len == 0)
    {
      g_print (_("No progress recorded yet.\n"));
      return SY_CLI_OK;
    }
  for (guint i = 0; i < list->len; i++)
    {
      SyCourseProgress *p = g_ptr_array_index (list, i);
      g_autofree char *done = g_strdup_printf ("%u/%u", p->n_done, p->n_items);

      g_print ("%-12s  %-28s  %-7s  %6.1f min  %s  %s\n", p->learner_name, p->course_id, done,
               p->seconds / 60, p->completed ? _("completed") : "         ",
               sy_text_get (p->course_title, NULL));
    }
  return SY_CLI_OK;
}

/* ---- statements ---- */

static int
cmd_statements (Cli   *cli,
                int    argc,
                char **argv)
{
  g_autofree char *since = NULL;
  GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("export: only statements recorded after this time (ISO 8601, e.g. 2026-11-01)"),
      N_("TIME") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("export|import FILE|- — statements as JSON lines"));
  g_autoptr(GError) error = NULL;
  gboolean to_stdout;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Moves learning records between PCs or to another learning "
                                  "record store. Importing the same file twice changes "
                                  "nothing."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 3 || !(g_str_equal (argv[1], "export") || g_str_equal (argv[1], "import")))
    return usage_error (cli, context, _("Use “statements export FILE” or “statements import FILE” "
                                        "(“-” for standard output or input)."));
  if (since != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (since, NULL);
      g_autofree char *as_time = g_strconcat (since, "T00:00:00Z", NULL);

      if (when == NULL && !(when = g_date_time_new_from_iso8601 (as_time, NULL)))
        return usage_error (cli, context, _("--since takes a date or time such as 2026-11-01 or "
                                            "2026-11-01T08:00:00Z."));
      g_free (since);
      since = g_date_time_format_iso8601 (when);
    }
  if (!open_store (cli, &status))
    return status;

  to_stdout = g_str_equal (argv[2], "-");
  if (g_str_equal (argv[1], "export"))
    {
      g_autoptr(GOutputStream) out = NULL;
      g_autoptr(GFile) file = NULL;
      guint n = 0;

      if (to_stdout)
        out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
      else
        {
          /* written whole or not at all: a cut cable leaves the old file */
          file = g_file_new_for_commandline_arg (argv[2]);
          out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error));
          if (out == NULL)
            return user_error (cli, "%s", error->message);
        }
      if (!sy_store_export_statements (cli->store, since, out, &n, NULL, &error) ||
          !g_output_stream_close (out, NULL, &error))
        return user_error (cli, "%s", error->message);
      if (!to_stdout)
        g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u statement\n",
                              "Exported %u statements\n", n), n);
    }
  else
    {
      g_autoptr(GInputStream) in = NULL;
      guint added = 0, known = 0;

      if (to_stdout)
        in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      else
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[2]);
          in = G_INPUT_STREAM (g_file_read (file, NULL, &error));
          if (in == NULL)
            return user_error (cli, "%s", error->message);
        }
      if (!sy_store_import_statements (cli->store, in, &added, &known, NULL, &error))
        return user_error (cli, "%s: %s", argv[2], error->message);
      g_print (_("Imported %u new statements (%u were already here)\n"), added, known);
    }
  return SY_CLI_OK;
}

/* ---- certificate ---- */

static int
cmd_certificate (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autofree char *learner = NULL;
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "learner", 0, 0, G_OPTION_ARG_STRING, &learner, N_("The learner (a UUID)"), N_("ID") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF to write"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("COURSE — a completion certificate"));
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2 || learner == NULL || output == NULL)
    return usage_error (cli, context, _("Use “certificate COURSE --learner ID -o FILE.pdf”."));
  if (!open_store (cli, &status))
    return status;

  if (!(code = sy_store_write_certificate (cli->store, learner, argv[1], output, NULL, &error)))
    return user_error (cli, "%s", error->message);
  g_print (_("Wrote %s (verification code %s)\n"), output, code);
  return SY_CLI_OK;
}

/* ---- coordinators: reports, certificates, voiding ---- */

/* --format: one of @allowed (NULL-terminated), or a usage error. */
static gboolean
check_format (Cli                *cli,
              GOptionContext     *context,
              const char         *format,
              const char * const *allowed,
              int                *status)
{
  g_autofree char *list = g_strjoinv ("|", (char **) allowed);
  g_autofree char *msg = NULL;

  if (g_strv_contains (allowed, format))
    return TRUE;
  msg = g_strdup_printf (_("--format takes %s, not “%s”."), list, format);
  *status = usage_error (cli, context, msg);
  return FALSE;
}

/* Writes a JSON or CSV export to @output, or to standard output without one. */

static int
report_output (Cli        *cli,
               GBytes     *bytes,
               const char *output)
{
  g_autoptr(GError) error = NULL;

  if (output == NULL || g_str_equal (output, "-"))
    {
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      fwrite (data, 1, len, stdout);
      fflush (stdout);
      return SY_CLI_OK;
    }
  if (!sy_report_write_csv (bytes, output, &error))
    return user_error (cli, "%s", error->message);
  g_print (_("Wrote %s\n"), output);
  return SY_CLI_OK;
}

static GBytes *
json_bytes (char *json)
{
  char *line = g_strconcat (json, "\n", NULL);

  g_free (json);
  return g_bytes_new_take (line, strlen (line));
}

/* A report as json, csv or xlsx (one of @report, @surveys), to @output or stdout. */
static int
write_report (Cli                *cli,
              const char         *format,
              const char         *output,
              SyCompletionReport *report,
              GPtrArray          *surveys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (g_str_equal (format, "xlsx"))
    {
      if (!sy_report_write_xlsx (report, surveys, output, &error))
        return user_error (cli, "%s", error->message);
      g_print (_("Wrote %s\n"), output);
      return SY_CLI_OK;
    }
  if (g_str_equal (format, "json"))
    bytes = json_bytes (report ? sy_report_completions_to_json (report)
                               : sy_report_surveys_to_json (surveys));
  else
    bytes = report ? sy_report_completions_to_csv (report) : sy_report_surveys_to_csv (surveys);
  return report_output (cli, bytes, output);
}

static int
report_completions (Cli   *cli,
                    int    argc,
                    char **argv)
{
  g_autofree char *programme = NULL, *course = NULL, *learner = NULL;
  g_autofree char *from = NULL, *to = NULL, *status_name = NULL;
  g_autofree char *format = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "programme", 0, 0, G_OPTION_ARG_STRING, &programme, N_("Only this programme's courses"), N_("ID") },
    { "course", 0, 0, G_OPTION_ARG_STRING, &course, N_("Only this course"), N_("ID") },
    { "learner", 0, 0, G_OPTION_ARG_STRING, &learner, N_("Only this learner (a UUID)"), N_("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("Completed (or last active) on or after this date, e.g. 2026-11-01"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Completed (or last active) on or before this date"),
      N_("DATE") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
      N_("Only rows with this status: not-started, in-progress or completed"), N_("STATUS") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("table (default), json, csv or xlsx"),
      N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to this file (needed for xlsx; default: standard output)"), N_("FILE") },
    { NULL }
  };
  static const char * const formats[] = { "table", "json", "csv", "xlsx", NULL };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— completions per learner and course, with totals"));
  g_autoptr(SyCompletionReport) report = NULL;
  g_autoptr(GError) error = NULL;
  SyReportFilter filter;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Who completed what, from this PC's records: class hours, "
                                  "credits and passes issued. Each completion counts once, "
                                  "however many times its records arrived."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("This command takes no arguments."));
  if (format == NULL)
    format = g_strdup ("table");
  if (!check_format (cli, context, format, formats, &status))
    return status;
  if (g_str_equal (format, "xlsx") && output == NULL)
    return usage_error (cli, context, _("Give the file to write with -o FILE.xlsx."));
  if (g_str_equal (format, "table") && output != NULL)
    return usage_error (cli, context, _("-o is for --format json, csv or xlsx."));

  sy_report_filter_init (&filter);
  filter.programme = programme;
  filter.course_id = course;
  filter.learner_uuid = learner;
  filter.from = from;
  filter.to = to;
  if (status_name != NULL)
    {
      if (g_str_equal (status_name, "not-started"))
        filter.status = SY_STATUS_NOT_STARTED;
      else if (g_str_equal (status_name, "in-progress"))
        filter.status = SY_STATUS_IN_PROGRESS;
      else if (g_str_equal (status_name, "completed"))
        filter.status = SY_STATUS_COMPLETED;
      else
        return usage_error (cli, context, _("--status takes not-started, in-progress or completed."));
    }
  if (!open_store (cli, &status))
    return status;

  if (!(report = sy_store_report_completions (cli->store, &filter, NULL, &error)))
    {
      if (g_error_matches (error, SY_REPORT_ERROR, SY_REPORT_ERROR_INVALID))
        return usage_error (cli, context, error->message);
      return user_error (cli, "%s", error->message);
    }

  if (!g_str_equal (format, "table"))
    return write_report (cli, format, output, report, NULL);

  for (guint i = 0; i < report->rows->len; i++)
    {
      SyCompletionRow *r = g_ptr_array_index (report->rows, i);
      g_autofree char *done = g_strdup_printf ("%u/%u", r->n_done, r->n_items);
      g_autofree char *when = r->completed ? g_strndup (r->completed, 10) : g_strdup ("");

      g_print ("%-12s  %-28s  %-12s  %-7s  %5.1f  %4.1f  %-10s  %s\n", r->learner_name,
               r->course_id, sy_report_status_display (r->status), done, r->class_hours,
               r->credits, when, r->verification_code ? r->verification_code : "");
    }
  g_print (_("%u completions, %u passes issued, %u learners, %.1f class hours, %.1f credits\n"),
           report->n_completions, report->n_passes, report->n_learners, report->class_hours,
           report->credits);
  return SY_CLI_OK;
}

static void
print_stats_line (SySurveyQuestion *q,
                  SyAnswerCount    *c,
                  gboolean          repeated)
{
  const char *label = c->label ? sy_text_get (c->label, NULL) : c->answer;
  guint first = 0, latest = 0;

  if (!repeated)
    {
      g_print ("      %-40s  %4u\n", label, c->count);
      return;
    }
  for (guint i = 0; i < q->first->counts->len; i++)
    if (g_str_equal (((SyAnswerCount *) g_ptr_array_index (q->first->counts, i))->answer, c->answer))
      first = ((SyAnswerCount *) g_ptr_array_index (q->first->counts, i))->count;
  for (guint i = 0; i < q->latest->counts->len; i++)
    if (g_str_equal (((SyAnswerCount *) g_ptr_array_index (q->latest->counts, i))->answer, c->answer))
      latest = ((SyAnswerCount *) g_ptr_array_index (q->latest->counts, i))->count;
  g_print ("      %-40s  %4u   %4u → %-4u\n", label, c->count, first, latest);
}

static int
report_surveys (Cli   *cli,
                int    argc,
                char **argv)
{
  g_autofree char *course = NULL, *format = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "course", 0, 0, G_OPTION_ARG_STRING, &course, N_("Only this course's surveys"), N_("ID") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("table (default), json, csv or xlsx"),
      N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to this file (needed for xlsx; default: standard output)"), N_("FILE") },
    { NULL }
  };
  static const char * const formats[] = { "table", "json", "csv", "xlsx", NULL };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— survey answers per question, before and after"));
  g_autoptr(GPtrArray) surveys = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("This command takes no arguments."));
  if (format == NULL)
    format = g_strdup ("table");
  if (!check_format (cli, context, format, formats, &status))
    return status;
  if (g_str_equal (format, "xlsx") && output == NULL)
    return usage_error (cli, context, _("Give the file to write with -o FILE.xlsx."));
  if (g_str_equal (format, "table") && output != NULL)
    return usage_error (cli, context, _("-o is for --format json, csv or xlsx."));
  if (!open_store (cli, &status))
    return status;

  if (!(surveys = sy_store_report_surveys (cli->store, course, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (!g_str_equal (format, "table"))
    return write_report (cli, format, output, NULL, surveys);

  if (surveys->len == 0)
    g_print (_("No surveys installed.\n"));
  for (guint i = 0; i < surveys->len; i++)
    {
      SySurveyReport *s = g_ptr_array_index (surveys, i);

      g_print ("%s — %s\n", sy_text_get (s->course_title, NULL), sy_text_get (s->title, NULL));
      /* Translators: attempts at a survey, learners, and learners who took it twice or more */
      g_print (_("  %u attempts by %u learners; %u took it twice or more (first → latest)\n"),
               s->n_attempts, s->n_learners, s->n_repeated);
      for (guint j = 0; j < s->questions->len; j++)
        {
          SySurveyQuestion *q = g_ptr_array_index (s->questions, j);

          g_print ("    %s\n", q->prompt ? sy_text_get (q->prompt, NULL) : q->question_id);
          if (q->type == SY_QUESTION_NUMBER && q->all->n_answers > 0)
            g_print (_("      %u answers: mean %.2f, lowest %g, highest %g\n"), q->all->n_answers,
                     q->all->mean, q->all->min, q->all->max);
          for (guint k = 0; k < q->all->counts->len; k++)
            print_stats_line (q, g_ptr_array_index (q->all->counts, k), s->n_repeated > 0);
        }
    }
  return SY_CLI_OK;
}

static int
cmd_report (Cli   *cli,
            int    argc,
            char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "completions"))
    return report_completions (cli, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "surveys"))
    return report_surveys (cli, argc - 1, argv + 1);
  g_printerr ("%s: %s\n", cli->prgname, _("Use “report completions” or “report surveys”."));
  return SY_CLI_USAGE_ERROR;
}

static int
cmd_certificates (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autofree char *course = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "course", 0, 0, G_OPTION_ARG_STRING, &course, N_("The course"), N_("ID") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The folder to write them to (default: the current folder)"), N_("FOLDER") },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— the certificates of everyone who completed a course"));
  g_autoptr(SyCompletionReport) report = NULL;
  g_autoptr(SyCourse) found = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;
  SyReportFilter filter;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1 || course == NULL)
    return usage_error (cli, context, _("Use “certificates --course ID [-o FOLDER]”."));
  if (!open_store (cli, &status))
    return status;
  if (!(found = sy_store_get_course (cli->store, course, NULL, NULL, &error)))
    return user_error (cli, "%s", error->message);

  sy_report_filter_init (&filter);
  filter.course_id = course;
  filter.status = SY_STATUS_COMPLETED;
  if (!(report = sy_store_report_completions (cli->store, &filter, NULL, &error)) ||
      !(written = sy_report_write_certificates (cli->store, report->rows, output ? output : ".",
                                                NULL, &error)))
    return user_error (cli, "%s", error->message);
  for (guint i = 0; i < written->len; i++)
    g_print ("%s\n", (char *) g_ptr_array_index (written, i));
  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %u certificate\n", "Wrote %u certificates\n",
                        written->len), written->len);
  return SY_CLI_OK;
}

static int
cmd_void (Cli   *cli,
          int    argc,
          char **argv)
{
  g_autofree char *by = NULL;
  GOptionEntry entries[] = {
    { "by", 0, 0, G_OPTION_ARG_STRING, &by, N_("The coordinator who voids it (a UUID)"), N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("STATEMENT — void a wrong record"));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Records are never edited: a voiding record says this one "
                                  "was wrong, and progress and reports stop counting it here "
                                  "and wherever the voiding record travels."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2 || by == NULL)
    return usage_error (cli, context, _("Use “void STATEMENT --by COORDINATOR”."));
  if (!open_store (cli, &status))
    return status;
  if (!(id = sy_store_void_statement (cli->store, argv[1], by, NULL, &error)))
    return user_error (cli, "%s", error->message);
  g_print (_("Voided %s (voiding record %s)\n"), argv[1], id);
  return SY_CLI_OK;
}

/* ---- classrooms ---- */

static char *
class_json (gpointer data)
{
  SyClass *klass = data;
  json_object *obj = json_object_new_object ();

  json_object_object_add (obj, "uuid", json_object_new_string (klass->uuid));
  json_object_object_add (obj, "name", json_object_new_string (klass->name));
  json_object_object_add (obj, "teacher", json_object_new_string (klass->teacher_uuid));
  json_object_object_add (obj, "teacher_name", json_object_new_string (klass->teacher_name));
  json_object_object_add (obj, "pupils", json_object_new_int (klass->n_pupils));
  json_object_object_add (obj, "archived", json_object_new_boolean (klass->archived));
  json_object_object_add (obj, "created", json_object_new_string (klass->created));
  return json_take_string (obj);
}

static int
cmd_classes (Cli   *cli,
             int    argc,
             char **argv)
{
  gboolean json = FALSE, all = FALSE;
  g_autofree char *teacher = NULL;
  GOptionEntry entries[] = {
    { "teacher", 0, 0, G_OPTION_ARG_STRING, &teacher, N_("Only this teacher's classes (a UUID)"),
      N_("ID") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include archived classes"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list classes"));
  g_autoptr(GPtrArray) classes = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return usage_error (cli, context, _("This command takes no arguments."));
  if (!open_store (cli, &status))
    return status;
  if (!(classes = sy_store_list_classes (cli->store, teacher, all, NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    return print_json_array (classes, class_json);
  if (classes->len == 0)
    {
      g_print (_("No classes yet. Add one with: %s class add NAME --teacher ID\n"), cli->prgname);
      return SY_CLI_OK;
    }
  for (guint i = 0; i < classes->len; i++)
    {
      SyClass *klass = g_ptr_array_index (classes, i);

      g_print ("%s  %3u  %-12s  %s%s\n", klass->uuid, klass->n_pupils, klass->teacher_name,
               klass->name, klass->archived ? _(" (archived)") : "");
    }
  return SY_CLI_OK;
}

static int
class_add (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autofree char *teacher = NULL;
  GOptionEntry entries[] = {
    { "teacher", 0, 0, G_OPTION_ARG_STRING, &teacher, N_("The teacher (a UUID)"), N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — add a class"));
  g_autoptr(SyClass) klass = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2 || teacher == NULL)
    return usage_error (cli, context, _("Use “class add NAME --teacher ID”."));
  if (!open_store (cli, &status))
    return status;
  if (!(klass = sy_store_create_class (cli->store, teacher, argv[1], NULL, &error)))
    return user_error (cli, "%s", error->message);
  g_print ("%s\n", klass->uuid);
  return SY_CLI_OK;
}

static int
class_pupils (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CLASS [add NAME…] — list or add pupils"));
  g_autoptr(GPtrArray) pupils = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc < 2 || (argc > 2 && !g_str_equal (argv[2], "add")) || (argc == 3))
    return usage_error (cli, context, _("Use “class pupils CLASS” or “class pupils CLASS add "
                                        "NAME…”."));
  if (!open_store (cli, &status))
    return status;

  if (argc > 3)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      for (int i = 3; i < argc; i++)
        g_ptr_array_add (names, argv[i]);
      g_ptr_array_add (names, NULL);
      if (!(pupils = sy_store_add_pupils (cli->store, argv[1], (const char * const *) names->pdata,
                                          NULL, &error)))
        return user_error (cli, "%s", error->message);
    }
  else if (!(pupils = sy_store_list_pupils (cli->store, argv[1], NULL, &error)))
    return user_error (cli, "%s", error->message);

  if (json)
    return print_json_array (pupils, learner_json);
  for (guint i = 0; i < pupils->len; i++)
    {
      SyLearner *pupil = g_ptr_array_index (pupils, i);

      g_print ("%s  %s\n", sy_learner_get_uuid (pupil), sy_learner_get_name (pupil));
    }
  return SY_CLI_OK;
}

static int
class_assign (Cli   *cli,
              int    argc,
              char **argv)
{
  gboolean remove = FALSE;
  GOptionEntry entries[] = {
    { "remove", 0, 0, G_OPTION_ARG_NONE, &remove, N_("Take the assignment back"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CLASS COURSE [ITEM] — assign a course or one of its items"));
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;
  gboolean ok;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 3 && argc != 4)
    return usage_error (cli, context, _("Use “class assign CLASS COURSE [ITEM]”."));
  if (!open_store (cli, &status))
    return status;
  if (remove)
    ok = sy_store_unassign (cli->store, argv[1], argv[2], argc == 4 ? argv[3] : NULL, NULL, &error);
  else
    ok = sy_store_assign (cli->store, argv[1], argv[2], argc == 4 ? argv[3] : NULL, NULL, &error);
  if (!ok)
    return user_error (cli, "%s", error->message);
  return SY_CLI_OK;
}

static int
class_session (Cli   *cli,
               int    argc,
               char **argv)
{
  g_autofree char *title = NULL;
  GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("What to call the session"), N_("TITLE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CLASS — start a class session"));
  g_autoptr(SyClassSession) session = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return usage_error (cli, context, _("Use “class session CLASS”."));
  if (!open_store (cli, &status))
    return status;
  if (!(session = sy_store_start_session (cli->store, argv[1], title, NULL, &error)))
    return user_error (cli, "%s", error->message);
  g_print ("%s\n", session->uuid);
  return SY_CLI_OK;
}

static int
class_report (Cli   *cli,
              int    argc,
              char **argv)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF to write"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("CLASS — write the coach report"));
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2 || output == NULL)
    return usage_error (cli, context, _("Use “class report CLASS -o FILE.pdf”."));
  if (!open_store (cli, &status))
    return status;
  if (!sy_store_write_coach_report (cli->store, argv[1], output, NULL, &error))
    return user_error (cli, "%s", error->message);
  g_print (_("Wrote %s\n"), output);
  return SY_CLI_OK;
}

static int
cmd_class (Cli   *cli,
           int    argc,
           char **argv)
{
  static const struct {
    const char *name;
    CommandFunc func;
  } subcommands[] = {
    { "add", class_add },
    { "pupils", class_pupils },
    { "assign", class_assign },
    { "session", class_session },
    { "report", class_report },
  };

  if (argc >= 2)
    for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
      if (g_str_equal (argv[1], subcommands[i].name))
        return subcommands[i].func (cli, argc - 1, argv + 1);

  g_printerr ("%s: %s\n", cli->prgname,
              _("Use “class add”, “class pupils”, “class assign”, “class session” or "
                "“class report”."));
  return SY_CLI_USAGE_ERROR;
}

static char *
attendance_json (gpointer data)
{
  SyAttendance *at = data;
  json_object *obj = json_object_new_object ();

  json_object_object_add (obj, "learner", json_object_new_string (at->learner_uuid));
  json_object_object_add (obj, "name", json_object_new_string (at->name));
  json_object_object_add (obj, "present", json_object_new_boolean (at->present));
  json_object_object_add (obj, "statement",
                          at->statement_id ? json_object_new_string (at->statement_id) : NULL);
  return json_take_string (obj);
}

static int
cmd_attendance (Cli   *cli,
                int    argc,
                char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("SESSION [LEARNER present|absent] — show or take attendance"));
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if ((argc != 2 && argc != 4) ||
      (argc == 4 && !g_str_equal (argv[3], "present") && !g_str_equal (argv[3], "absent")))
    return usage_error (cli, context, _("Use “attendance SESSION” or “attendance SESSION "
                                        "LEARNER present|absent”."));
  if (!open_store (cli, &status))
    return status;

  if (argc == 4)
    {
      if (!sy_store_set_attendance (cli->store, argv[1], argv[2], g_str_equal (argv[3], "present"),
                                    NULL, &error))
        return user_error (cli, "%s", error->message);
      return SY_CLI_OK;
    }

  if (!(list = sy_store_list_attendance (cli->store, argv[1], NULL, &error)))
    return user_error (cli, "%s", error->message);
  if (json)
    return print_json_array (list, attendance_json);
  for (guint i = 0; i < list->len; i++)
    {
      SyAttendance *at = g_ptr_array_index (list, i);

      g_print ("%s  %-8s  %s\n", at->learner_uuid, at->present ? _("present") : _("absent"),
               at->name);
    }
  return SY_CLI_OK;
}

/* ---- sync ---- */

static int
cmd_enrol (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autofree char *label = NULL;
  GOptionEntry entries[] = {
    { "label", 0, 0, G_OPTION_ARG_STRING, &label,
      N_("How the hub lists this PC (default: its host name)"), N_("LABEL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("HUB-ADDRESS CODE — connect this PC to a hub"));
  g_autoptr(SySyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Exchanges the enrolment code a coordinator made "
                                  "(shuyuan-hub enrol-code) for this PC's credential, kept in "
                                  "the data folder readable only by you. Every record of this "
                                  "PC then goes to that hub at the next sync."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 3)
    return usage_error (cli, context, _("Give the hub's address and the enrolment code."));
  if (!open_store (cli, &status))
    return status;
  if (!sy_sync_enrol (cli->store, argv[1], argv[2], label, NULL, &error))
    return user_error (cli, "%s", error->message);
  account = sy_sync_get_account (cli->store, NULL);
  g_print (_("This PC is enrolled at %s (organisation %s, device %s).\n"),
           account ? account->url : argv[1],
           account && account->organisation ? account->organisation : "-",
           account ? account->user : "-");
  return SY_CLI_OK;
}

static int
cmd_connect_lrs (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ENDPOINT KEY SECRET|- — send records to any xAPI LRS"));
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Records will be pushed to and pulled from the xAPI record "
                                  "store at ENDPOINT (e.g. https://lrs.example.org/xapi) with "
                                  "HTTP Basic KEY and SECRET (“-” reads the secret from the "
                                  "standard input). Courses come only from a Shuyuan hub."));
  if (!parse_options (cli, context, NULL, &argc, &argv, &status))
    return status;
  if (argc != 4)
    return usage_error (cli, context, _("Give the endpoint, the key and the secret."));
  if (g_str_equal (argv[3], "-"))
    {
      char line[1024];

      if (fgets (line, sizeof line, stdin) == NULL)
        return usage_error (cli, context, _("No secret on the standard input."));
      secret = g_strchomp (g_strdup (line));
    }
  else
    secret = g_strdup (argv[3]);
  if (!open_store (cli, &status))
    return status;
  if (!sy_sync_connect_lrs (cli->store, argv[1], argv[2], secret, NULL, &error))
    return user_error (cli, "%s", error->message);
  g_print (_("Records will go to the LRS at %s.\n"), argv[1]);
  return SY_CLI_OK;
}

static const char *
phase_name (SySyncPhase phase)
{
  switch (phase)
    {
    case SY_SYNC_PHASE_REGISTER:
      return _("Registering learners");
    case SY_SYNC_PHASE_PUSH:
      return _("Sending records");
    case SY_SYNC_PHASE_PULL:
      return _("Receiving records");
    case SY_SYNC_PHASE_CATALOG:
      return _("Reading the course catalog");
    case SY_SYNC_PHASE_DOWNLOAD:
      return _("Downloading");
    case SY_SYNC_PHASE_IMPORT:
      return _("Installing");
    case SY_SYNC_PHASE_IDLE:
    default:
      return "";
    }
}

typedef struct
{
  SySyncPhase phase;
  gint64      last;
  gboolean    quiet;
} CliProgress;

/* Progress on standard error: a line when a step starts and at most one a second. */
static void
print_progress (const SySyncProgress *p,
                gpointer              data)
{
  CliProgress *state = data;
  gint64 now = g_get_monotonic_time ();
  gboolean finished = p->total > 0 && p->done >= p->total;

  if (state->quiet || p->phase == SY_SYNC_PHASE_IDLE)
    return;
  if (p->phase == state->phase && !finished && now - state->last < G_USEC_PER_SEC)
    return;
  state->phase = p->phase;
  state->last = now;
  if (p->phase == SY_SYNC_PHASE_DOWNLOAD)
    {
      g_autofree char *done = g_format_size (p->done);
      g_autofree char *total = g_format_size (p->total);
      g_printerr ("%s “%s”: %s / %s\n", phase_name (p->phase), p->item ? p->item : "", done, total);
    }
  else if (p->item != NULL)
    g_printerr ("%s “%s”\n", phase_name (p->phase), p->item);
  else if (p->total > 0)
    g_printerr ("%s: %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT "\n", phase_name (p->phase),
                p->done, p->total);
  else if (p->done > 0)
    g_printerr ("%s: %" G_GUINT64_FORMAT "\n", phase_name (p->phase), p->done);
  else
    g_printerr ("%s…\n", phase_name (p->phase));
}

static int
sync_status (Cli      *cli,
             gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SySyncAccount) account = sy_sync_get_account (cli->store, &error);
  g_autoptr(SySyncStatus) st = NULL;

  if (error != NULL)
    return user_error (cli, "%s", error->message);
  if (!(st = sy_sync_get_status (cli->store, NULL, &error)))
    return user_error (cli, "%s", error->message);
  if (json)
    {
      json_object *obj = json_object_new_object ();
      g_autofree char *text = NULL;

      json_object_object_add (obj, "enrolled", json_object_new_boolean (account != NULL));
      json_object_object_add (obj, "kind", account == NULL ? NULL :
                              json_object_new_string (account->kind == SY_SYNC_KIND_LRS ? "lrs" : "hub"));
      json_object_object_add (obj, "url", account ? json_object_new_string (account->url) : NULL);
      json_object_object_add (obj, "organisation", account && account->organisation ?
                              json_object_new_string (account->organisation) : NULL);
      json_object_object_add (obj, "waiting", json_object_new_int (st->waiting));
      json_object_object_add (obj, "quarantined", json_object_new_int (st->quarantined));
      json_object_object_add (obj, "last_synced", st->last_synced ? json_object_new_string (st->last_synced) : NULL);
      json_object_object_add (obj, "last_error", st->last_error ? json_object_new_string (st->last_error) : NULL);
      text = json_take_string (obj);
      g_print ("%s\n", text);
      return SY_CLI_OK;
    }
  if (account == NULL)
    g_print (_("Not enrolled: use “enrol HUB-ADDRESS CODE”.\n"));
  else
    g_print (_("Hub: %s (organisation %s)\n"), account->url,
             account->organisation ? account->organisation : "-");
  g_print (_("Records waiting: %u\n"), st->waiting);
  if (st->quarantined > 0)
    g_print (_("Records the hub refused (quarantined): %u\n"), st->quarantined);
  g_print (_("Last synced: %s\n"), st->last_synced ? st->last_synced : _("never"));
  if (st->last_error)
    g_print (_("Last error: %s\n"), st->last_error);
  return SY_CLI_OK;
}

static int
cmd_sync (Cli   *cli,
          int    argc,
          char **argv)
{
  gboolean records_only = FALSE, show_status = FALSE, json = FALSE, quiet = FALSE, no_retry = FALSE;
  GOptionEntry entries[] = {
    { "records-only", 0, 0, G_OPTION_ARG_NONE, &records_only,
      N_("Send and receive records only; download no courses"), NULL },
    { "status", 0, 0, G_OPTION_ARG_NONE, &show_status,
      N_("Show what waits to be synced, and the last sync"), NULL },
    { "no-retry", 0, 0, G_OPTION_ARG_NONE, &no_retry,
      N_("Stop at the first network error instead of trying again"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print no progress"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— send and receive records and courses"));
  g_autoptr(GError) error = NULL;
  SySyncSummary summary = { 0 };
  CliProgress progress = { SY_SYNC_PHASE_IDLE, 0, FALSE };
  int status = SY_CLI_OK;
  gboolean ok;

  g_option_context_set_summary (context,
                                _("Registers this PC's learners with the hub, sends the records "
                                  "it has not acknowledged yet, receives the organisation's, and "
                                  "downloads new or updated courses. Safe to interrupt: the next "
                                  "sync finishes the job."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return usage_error (cli, context, _("sync takes no arguments."));
  if (!open_store (cli, &status))
    return status;
  if (show_status)
    return sync_status (cli, json);

  progress.quiet = quiet || json;
  ok = sy_sync_run (cli->store,
                    (records_only ? SY_SYNC_RECORDS_ONLY : 0) | (no_retry ? SY_SYNC_NO_RETRY : 0),
                    print_progress, &progress, &summary, NULL, &error);
  if (json)
    {
      json_object *obj = json_object_new_object ();
      g_autofree char *text = NULL;

      json_object_object_add (obj, "ok", json_object_new_boolean (ok));
      json_object_object_add (obj, "learners_registered", json_object_new_int (summary.learners_registered));
      json_object_object_add (obj, "learners_pulled", json_object_new_int (summary.learners_pulled));
      json_object_object_add (obj, "pushed", json_object_new_int (summary.pushed));
      json_object_object_add (obj, "quarantined", json_object_new_int (summary.quarantined));
      json_object_object_add (obj, "pulled", json_object_new_int (summary.pulled));
      json_object_object_add (obj, "courses_downloaded", json_object_new_int (summary.courses_downloaded));
      json_object_object_add (obj, "courses_failed", json_object_new_int (summary.courses_failed));
      json_object_object_add (obj, "bytes_sent", json_object_new_int64 (summary.bytes_sent));
      json_object_object_add (obj, "bytes_received", json_object_new_int64 (summary.bytes_received));
      json_object_object_add (obj, "error", ok ? NULL : json_object_new_string (error->message));
      text = json_take_string (obj);
      g_print ("%s\n", text);
    }
  else
    {
      g_autofree char *sent = g_format_size (summary.bytes_sent);
      g_autofree char *received = g_format_size (summary.bytes_received);

      g_print (_("Sent %u records (%u refused), received %u; %u new learners; %u courses "
                 "downloaded; %s sent, %s received.\n"),
               summary.pushed, summary.quarantined, summary.pulled, summary.learners_pulled,
               summary.courses_downloaded, sent, received);
    }
  if (!ok)
    return user_error (cli, "%s", error->message);
  return SY_CLI_OK;
}

static char *
quarantined_json (gpointer data)
{
  SyQuarantined *q = data;
  json_object *obj = json_object_new_object ();

  json_object_object_add (obj, "statement", json_object_new_string (q->statement_id));
  json_object_object_add (obj, "learner", q->learner_uuid ? json_object_new_string (q->learner_uuid) : NULL);
  json_object_object_add (obj, "name", q->learner_name ? json_object_new_string (q->learner_name) : NULL);
  json_object_object_add (obj, "verb", json_object_new_string (q->verb));
  json_object_object_add (obj, "activity", json_object_new_string (q->activity));
  json_object_object_add (obj, "timestamp", json_object_new_string (q->timestamp));
  json_object_object_add (obj, "status", json_object_new_int (q->status));
  json_object_object_add (obj, "reason", json_object_new_string (q->reason));
  json_object_object_add (obj, "since", json_object_new_string (q->since));
  return json_take_string (obj);
}

static int
cmd_quarantine (Cli   *cli,
                int    argc,
                char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— records the hub refused"));
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int status = SY_CLI_OK;

  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (!open_store (cli, &status))
    return status;
  if (!(list = sy_store_list_quarantine (cli->store, NULL, &error)))
    return user_error (cli, "%s", error->message);
  if (json)
    return print_json_array (list, quarantined_json);
  for (guint i = 0; i < list->len; i++)
    {
      SyQuarantined *q = g_ptr_array_index (list, i);
      g_print ("%s  %s  %u  %s\n", q->statement_id, q->learner_name ? q->learner_name : "-",
               q->status, q->reason);
    }
  return SY_CLI_OK;
}

/* ---- bundle ---- */

static int
cmd_bundle (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autofree char *since = NULL;
  g_auto(GStrv) with_courses = NULL;
  gboolean all = FALSE, all_courses = FALSE;
  GOptionEntry entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("export: only records made after this time (ISO 8601, e.g. 2026-11-01)"), N_("TIME") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("export: every record, also those the hub already has"), NULL },
    { "with-courses", 0, 0, G_OPTION_ARG_STRING_ARRAY, &with_courses,
      N_("export: carry these installed courses along (ids, separated by commas)"), N_("ID,…") },
    { "all-courses", 0, 0, G_OPTION_ARG_NONE, &all_courses,
      N_("export: carry every installed course along"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("export|import FILE.sybundle — records on a USB stick"));
  g_autoptr(GError) error = NULL;
  SyBundleSummary summary;
  int status = SY_CLI_OK;

  g_option_context_set_summary (context,
                                _("Carries the records this PC has not sent to the hub (and "
                                  "optionally courses) to a PC that can sync. Importing the "
                                  "same bundle twice changes nothing; a damaged bundle is "
                                  "refused whole."));
  if (!parse_options (cli, context, entries, &argc, &argv, &status))
    return status;
  if (argc != 3 || !(g_str_equal (argv[1], "export") || g_str_equal (argv[1], "import")))
    return usage_error (cli, context, _("Use “bundle export FILE.sybundle” or “bundle import "
                                        "FILE.sybundle”."));
  if (g_str_equal (argv[1], "import") && (since || all || with_courses || all_courses))
    return usage_error (cli, context, _("--since, --all, --with-courses and --all-courses are "
                                        "for “bundle export”."));
  if (with_courses && all_courses)
    return usage_error (cli, context, _("Give either --with-courses or --all-courses."));
  if (!open_store (cli, &status))
    return status;

  if (g_str_equal (argv[1], "export"))
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      SyBundleOptions opts = { 0 };

      for (guint i = 0; with_courses && with_courses[i]; i++)
        {
          g_auto(GStrv) parts = g_strsplit (with_courses[i], ",", -1);

          for (guint j = 0; parts[j]; j++)
            if (*g_strstrip (parts[j]) != '\0')
              g_ptr_array_add (ids, g_strdup (parts[j]));
        }
      g_ptr_array_add (ids, NULL);
      opts.since = since;
      opts.all = all;
      opts.course_ids = ids->len > 1 ? (const char * const *) ids->pdata : NULL;
      opts.all_courses = all_courses;
      if (!sy_store_export_bundle (cli->store, argv[2], &opts, &summary, NULL, &error))
        return user_error (cli, "%s", error->message);
      g_print (_("Wrote %s: %u records, %u learners, %u courses\n"), argv[2],
               summary.statements, summary.learners, summary.courses);
    }
  else
    {
      g_autoptr(GString) line = g_string_new (NULL);

      if (!sy_store_import_bundle (cli->store, argv[2], &summary, NULL, &error))
        return user_error (cli, "%s: %s", argv[2], error->message);
      g_string_printf (line, _("Imported %s: %u new records (%u were already here), %u new "
                               "learners, courses: %u installed, %u updated, %u unchanged"),
                       argv[2], summary.statements_added, summary.statements_known,
                       summary.learners_added, summary.courses_installed,
                       summary.courses_updated, summary.courses_unchanged);
      if (summary.learners_kept > 0)
        g_string_append_printf (line, _("; %u learners differ in the bundle and were kept as "
                                        "they are on this PC"), summary.learners_kept);
      g_print ("%s\n", line->str);
    }
  return SY_CLI_OK;
}

/* ---- dispatch ---- */

static const struct {
  const char  *name;
  CommandFunc  func;
  const char  *summary;
} commands[] = {
  { "import",   cmd_import,   N_("Install course folders or .zip packages") },
  { "courses",  cmd_courses,  N_("List installed courses") },
  { "course",   cmd_course,   N_("Show one course with its modules and items") },
  { "learners", cmd_learners, N_("List learners, or add one with “learners add NAME”") },
  { "progress", cmd_progress, N_("Show learners' progress in their courses") },
  { "statements", cmd_statements, N_("Export or import learning records (JSON lines)") },
  { "bundle",   cmd_bundle,   N_("Carry records (and courses) on a USB stick: bundle "
                               "export|import FILE.sybundle") },
  { "certificate", cmd_certificate, N_("Write the certificate of a completed course") },
  { "classes",  cmd_classes,  N_("List a teacher's classes") },
  { "class",    cmd_class,    N_("Add a class, its pupils and assignments; start a session; "
                               "write the coach report") },
  { "enrol",    cmd_enrol,    N_("Connect this PC to a hub with an enrolment code") },
  { "connect-lrs", cmd_connect_lrs, N_("Send records to any xAPI record store instead of a hub") },
  { "sync",     cmd_sync,     N_("Send and receive records, download new courses") },
  { "quarantine", cmd_quarantine, N_("List records the hub refused") },
  { "report",   cmd_report,   N_("Coordinators: completions or survey answers, as a table, JSON, CSV or XLSX") },
  { "certificates", cmd_certificates, N_("Write the certificates of everyone who completed a course") },
  { "void",     cmd_void,     N_("Void a wrong record (a coordinator)") },
  { "attendance", cmd_attendance, N_("Show a class session's attendance, or mark a pupil "
                                     "present or absent") },
};

static char *
commands_help (void)
{
  GString *s = g_string_new (_("Commands:"));

  g_string_append_c (s, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (s, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  return g_string_free (s, FALSE);
}

int
sy_cli_run (int   argc,
            char *argv[])
{
  g_autofree char *data_dir = NULL;
  g_autofree char *help = commands_help ();
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Keep data in DIR (default: $XDG_DATA_HOME/shuyuan)"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("COMMAND [ARGS…]"));
  Cli cli = { "shuyuan-cli", NULL, NULL };
  int status = SY_CLI_USAGE_ERROR;

  g_set_prgname (cli.prgname);
  g_option_context_set_description (context, help);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!parse_options (&cli, context, entries, &argc, &argv, &status))
    return status;
  if (version)
    {
      g_print ("shuyuan-cli %s\n", PACKAGE_VERSION);
      return SY_CLI_OK;
    }
  if (argc < 2)
    return usage_error (&cli, context, _("Give a command."));

  cli.data_dir = data_dir ? g_strdup (data_dir) : sy_default_data_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("%s %s", cli.prgname, commands[i].name);

        g_set_prgname (prgname);
        status = commands[i].func (&cli, argc - 1, argv + 1);
        g_clear_object (&cli.store);
        g_free (cli.data_dir);
        return status;
      }

  g_free (cli.data_dir);
  {
    g_autofree char *msg = g_strdup_printf (_("Unknown command “%s”."), argv[1]);
    return usage_error (&cli, context, msg);
  }
}
