/* sy-application.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One process serves every data folder: `shuyuan --data-dir DIR` while Shuyuan runs opens
 * (or raises) a window on DIR in the running instance, so a demo or a test profile never
 * touches the learner's real data and one store never has two owners.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-application.h"
#include "sy-test-script.h"
#include "sy-util.h"
#include "sy-window.h"

struct _SyApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (SyApplication, sy_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep data in DIR (default: $XDG_DATA_HOME/shuyuan)"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version"), NULL },
  { NULL }
};

static int
sy_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("shuyuan %s\n", PACKAGE_VERSION);
      return 0;
    }

  return G_APPLICATION_CLASS (sy_application_parent_class)->handle_local_options (app, options);
}

static int
sy_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  SyApplication *self = SY_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *data_dir = NULL;
  const char *arg = NULL;
  const char *script;
  SyWindow *window;

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &arg) && arg[0] != '\0')
    {
      /* Relative to where the command ran, which may not be where this instance runs. */
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, arg);
      data_dir = g_file_get_path (file);
    }
  else
    {
      data_dir = sy_default_data_dir ();
    }

  window = sy_application_open_data_dir (self, data_dir);

  /* A test hook for the crash test; does nothing unless set (see sy-test-script.c). */
  script = g_application_command_line_getenv (command_line, "SHUYUAN_TEST_SCRIPT");
  if (script != NULL && script[0] != '\0')
    sy_test_script_start (window, script);

  return EXIT_SUCCESS;
}

static void
sy_application_activate (GApplication *app)
{
  SyApplication *self = SY_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window != NULL)
    gtk_window_present (window);
  else
    {
      g_autofree char *data_dir = sy_default_data_dir ();
      sy_application_open_data_dir (self, data_dir);
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  static const char *developers[] = { "The Shuyuan authors", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Shuyuan"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Take training courses, even without an internet connection"),
                        "developer-name", _("The Shuyuan authors"),
                        "developers", developers,
                        "website", "https://github.com/shuyuan/shuyuan",
                        "issue-url", "https://github.com/shuyuan/shuyuan/issues",
                        "copyright", "© 2026 The Shuyuan authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static gpointer
ref_window (gconstpointer window,
            gpointer      data)
{
  return g_object_ref ((gpointer) window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = g_list_copy_deep (gtk_application_get_windows (app), ref_window, NULL);

  /* Closing rather than destroying lets each window save its size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
sy_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (sy_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
sy_application_class_init (SyApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->handle_local_options = sy_application_handle_local_options;
  app_class->command_line = sy_application_command_line;
  app_class->activate = sy_application_activate;
  app_class->startup = sy_application_startup;
}

static void
sy_application_init (SyApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Take training courses, even without an internet connection."));
}

SyApplication *
sy_application_new (void)
{
  return g_object_new (SY_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/shuyuan/Shuyuan",
                       NULL);
}

/**
 * sy_application_open_data_dir:
 * @data_dir: an absolute path
 *
 * Presents the window on @data_dir, making it if there is none yet.
 *
 * Returns: (transfer none): the window
 */
SyWindow *
sy_application_open_data_dir (SyApplication *self,
                              const char    *data_dir)
{
  SyWindow *window = NULL;

  g_return_val_if_fail (SY_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (SY_IS_WINDOW (l->data) &&
          g_strcmp0 (sy_window_get_data_dir (l->data), data_dir) == 0)
        {
          window = l->data;
          break;
        }
    }

  if (window == NULL)
    window = sy_window_new (GTK_APPLICATION (self), data_dir);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}
