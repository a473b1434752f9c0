/* sy-preferences-window.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hub: its address and the enrolment code the coordinator read out (over the phone,
 * often: the engine ignores case, spaces and hyphens), or, once enrolled, the
 * organisation and a way to forget the hub. Then when to sync.
 *
 * Anyone at the PC may open Preferences, and in this version enrolling and forgetting
 * take no PIN either: an enrolment code is itself the coordinator's permission, and
 * forgetting a hub loses no records (they wait for the next one). A later version may
 * ask for a teacher's or coordinator's PIN before the Hub group can be changed.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-preferences-window.h"

struct _SyPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  SySyncMonitor        *monitor;
  GSettings            *settings;
  GCancellable         *cancellable;
  AdwMessageDialog     *forget_dialog;       /* weak */
  char                 *error_text;
  guint                 enrolling : 1;

  /* template */
  AdwPreferencesGroup  *enrol_group;
  AdwEntryRow          *address_row;
  AdwEntryRow          *code_row;
  GtkLabel             *error_label;
  GtkSpinner           *enrol_spinner;
  GtkWidget            *enrol_button;
  AdwPreferencesGroup  *enrolled_group;
  AdwActionRow         *enrolled_row;
  GtkWidget            *forget_button;
  GtkAdjustment        *interval_adjustment;
  GtkWidget            *interval_row;
  GtkWidget            *metered_row;
  GtkSwitch            *metered_switch;
  AdwActionRow         *waiting_row;
  GtkLabel             *waiting_label;
};

G_DEFINE_FINAL_TYPE (SyPreferencesWindow, sy_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
set_error (SyPreferencesWindow *self,
           const char          *text)
{
  g_free (self->error_text);
  self->error_text = g_strdup (text);
  gtk_label_set_label (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
}

static gboolean
has_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return text[0] != '\0';
}

static void
update_enrol_button (SyPreferencesWindow *self)
{
  gboolean ready = has_text (self->address_row) && has_text (self->code_row);

  /* The rows stay sensitive: a focused entry made insensitive under the cursor keeps
   * blinking in GTK 4.8 and warns. */
  gtk_widget_set_sensitive (self->enrol_button, ready && !self->enrolling);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_spinner), self->enrolling);
  gtk_spinner_set_spinning (self->enrol_spinner, self->enrolling);
  /* The spinner says what happens; the error from the last try no longer does. */
  if (self->enrolling)
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
update_from_monitor (SyPreferencesWindow *self)
{
  gboolean enrolled = sy_sync_monitor_get_enrolled (self->monitor);
  guint waiting = sy_sync_monitor_get_waiting (self->monitor);
  const char *organisation = sy_sync_monitor_get_organisation (self->monitor);
  const char *url = sy_sync_monitor_get_url (self->monitor);
  g_autofree char *waiting_text = g_strdup_printf ("%u", waiting);
  g_autofree char *last_synced = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->enrol_group), !enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->enrolled_group), enrolled);
  if (enrolled)
    {
      g_autofree char *title = g_markup_escape_text (organisation != NULL ? organisation : url, -1);
      g_autofree char *escaped_url = g_markup_escape_text (url, -1);
      /* Translators: under the organisation's name; %s is the hub's address */
      g_autofree char *subtitle = g_strdup_printf (_("This PC is enrolled · %s"), escaped_url);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->enrolled_row), title);
      adw_action_row_set_subtitle (self->enrolled_row, subtitle);
    }

  gtk_label_set_label (self->waiting_label, waiting_text);
  last_synced = sy_sync_format_last_synced (sy_sync_monitor_get_last_synced (self->monitor));
  adw_action_row_set_subtitle (self->waiting_row, last_synced);
}

/* ---- enrolling ---- */

static void
enrol_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SyPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sy_sync_enrol_finish (SY_STORE (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      self->enrolling = FALSE;
      update_enrol_button (self);
      text = sy_sync_describe_error (error);
      g_debug ("Enrolment failed: %s", error->message);
      set_error (self, text);
      gtk_widget_grab_focus (GTK_WIDGET (error->code == SY_SYNC_ERROR_ADDRESS ||
                                         error->code == SY_SYNC_ERROR_PROTOCOL ||
                                         error->code == SY_SYNC_ERROR_TLS
                                         ? self->address_row : self->code_row));
      return;
    }

  self->enrolling = FALSE;
  update_enrol_button (self);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  set_error (self, NULL);

  /* The monitor reads the account and sends what is waiting. */
  sy_sync_monitor_refresh (self->monitor);
  update_from_monitor (self);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("This PC is enrolled")));
  gtk_widget_grab_focus (self->forget_button);
}

static void
enrol (SyPreferencesWindow *self)
{
  g_autofree char *address = NULL;
  g_autofree char *code = NULL;

  if (self->enrolling || !has_text (self->address_row) || !has_text (self->code_row))
    return;

  /* The engine completes "hub.example.cn" into a URL, as the CLI's enrol does. */
  address = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
  code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));

  self->enrolling = TRUE;
  set_error (self, NULL);
  update_enrol_button (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  sy_sync_enrol_async (sy_sync_monitor_get_store (self->monitor), address, code, NULL,
                       self->cancellable, enrol_cb, g_object_ref (self));
}

static void
enrol_clicked_cb (SyPreferencesWindow *self)
{
  enrol (self);
}

static void
entry_activated_cb (SyPreferencesWindow *self,
                    AdwEntryRow         *row)
{
  if (row == self->address_row && !has_text (self->code_row))
    gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  else
    enrol (self);
}

static void
entry_changed_cb (SyPreferencesWindow *self)
{
  if (!self->enrolling && self->error_text != NULL)
    set_error (self, NULL);
  update_enrol_button (self);
}

/* ---- forgetting ---- */

static void
forget_response_cb (SyPreferencesWindow *self,
                    const char          *response,
                    AdwMessageDialog    *dialog)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "forget") != 0)
    return;

  if (!sy_sync_forget (sy_sync_monitor_get_store (self->monitor), &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not forget the hub: %s"), error->message);

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
      return;
    }

  sy_sync_monitor_refresh (self->monitor);
  update_from_monitor (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
}

static void
forget_clicked_cb (SyPreferencesWindow *self)
{
  const char *organisation = sy_sync_monitor_get_organisation (self->monitor);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->forget_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->forget_dialog));
      return;
    }

  body = g_strdup_printf (_("This PC will stop sending records to “%s”. Records that were not sent stay on this PC, and go to the next hub it is enrolled with. To enrol again you need a new code from your coordinator."),
                          organisation != NULL ? organisation : sy_sync_monitor_get_url (self->monitor));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Forget This Hub?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "forget", _("_Forget"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (forget_response_cb), self,
                           G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->forget_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- sync settings ---- */

static void
interval_changed_cb (SyPreferencesWindow *self)
{
  int value = (int) gtk_adjustment_get_value (self->interval_adjustment);

  if (self->settings != NULL && g_settings_get_int (self->settings, "sync-interval-minutes") != value)
    g_settings_set_int (self->settings, "sync-interval-minutes", value);
}

static void
interval_setting_changed_cb (SyPreferencesWindow *self)
{
  gtk_adjustment_set_value (self->interval_adjustment,
                            g_settings_get_int (self->settings, "sync-interval-minutes"));
}

/* ---- GObject ---- */

static void
sy_preferences_window_dispose (GObject *object)
{
  SyPreferencesWindow *self = SY_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->forget_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->forget_dialog));
  g_clear_weak_pointer (&self->forget_dialog);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sy_preferences_window_parent_class)->dispose (object);
}

static void
sy_preferences_window_finalize (GObject *object)
{
  SyPreferencesWindow *self = SY_PREFERENCES_WINDOW (object);

  g_free (self->error_text);

  G_OBJECT_CLASS (sy_preferences_window_parent_class)->finalize (object);
}

static void
sy_preferences_window_class_init (SyPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_preferences_window_dispose;
  object_class->finalize = sy_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, enrol_group);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, code_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, enrol_spinner);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, enrol_button);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, enrolled_group);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, enrolled_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, forget_button);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, interval_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, metered_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, metered_switch);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, waiting_row);
  gtk_widget_class_bind_template_child (widget_class, SyPreferencesWindow, waiting_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, enrol_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, forget_clicked_cb);
}

static void
sy_preferences_window_init (SyPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sy_preferences_window_new:
 * @parent: the main window
 * @monitor: the sync monitor of @parent's data folder
 *
 * Returns: (transfer none): a new preferences window, not shown yet
 */
SyPreferencesWindow *
sy_preferences_window_new (GtkWindow     *parent,
                           SySyncMonitor *monitor)
{
  SyPreferencesWindow *self;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SY_IS_SYNC_MONITOR (monitor), NULL);

  self = g_object_new (SY_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->monitor = g_object_ref (monitor);
  g_signal_connect_object (monitor, "notify", G_CALLBACK (update_from_monitor), self,
                           G_CONNECT_SWAPPED);

  self->settings = sy_sync_monitor_get_settings (monitor);
  if (self->settings != NULL)
    {
      g_object_ref (self->settings);
      interval_setting_changed_cb (self);
      g_signal_connect_object (self->settings, "changed::sync-interval-minutes",
                               G_CALLBACK (interval_setting_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->interval_adjustment, "value-changed",
                               G_CALLBACK (interval_changed_cb), self, G_CONNECT_SWAPPED);
      g_settings_bind (self->settings, "sync-download-on-metered", self->metered_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      /* Running uninstalled without the schema: nothing could be remembered. */
      gtk_widget_set_sensitive (self->interval_row, FALSE);
      gtk_widget_set_sensitive (self->metered_row, FALSE);
    }

  update_from_monitor (self);
  update_enrol_button (self);
  return self;
}

/* ---- for the tests ---- */

GtkEditable *
_sy_preferences_window_get_address (SyPreferencesWindow *self)
{
  return GTK_EDITABLE (self->address_row);
}

GtkEditable *
_sy_preferences_window_get_code (SyPreferencesWindow *self)
{
  return GTK_EDITABLE (self->code_row);
}

GtkWidget *
_sy_preferences_window_get_enrol_button (SyPreferencesWindow *self)
{
  return self->enrol_button;
}

GtkWidget *
_sy_preferences_window_get_forget_button (SyPreferencesWindow *self)
{
  return self->forget_button;
}

/* Returns: (nullable): the error under the rows */
const char *
_sy_preferences_window_get_error (SyPreferencesWindow *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? self->error_text : NULL;
}

gboolean
_sy_preferences_window_is_enrolling (SyPreferencesWindow *self)
{
  return self->enrolling;
}

/* Returns: (nullable): the organisation shown as enrolled, or %NULL when not enrolled */
const char *
_sy_preferences_window_get_enrolled (SyPreferencesWindow *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->enrolled_group)))
    return NULL;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->enrolled_row));
}

AdwMessageDialog *
_sy_preferences_window_get_forget_dialog (SyPreferencesWindow *self)
{
  return self->forget_dialog;
}
