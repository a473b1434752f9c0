/* sy-sync-indicator.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One glance at the header tells whether this PC's records have reached the hub: the
 * button says "Synced 5 minutes ago", "12 records waiting", "Offline", shows a spinner
 * while a sync runs, or a warning when the last one failed. Its popover says the same in
 * whole sentences, with the numbers and a Sync Now button. A PC with no hub shows a
 * "Set Up Sync" button that opens Preferences instead.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sy-sync-indicator.h"

/* The status is read again this often while the indicator is on screen: records made
 * meanwhile (a lesson read) show up, and "5 minutes ago" stays true. */
#define REFRESH_SECONDS 60

struct _SySyncIndicator
{
  GtkWidget       parent_instance;

  SySyncMonitor  *monitor;
  guint           refresh_source;
  char           *error_text;

  /* template */
  GtkWidget      *setup_button;
  GtkMenuButton  *menu_button;
  GtkStack       *icon_stack;
  GtkImage       *icon;
  GtkSpinner     *spinner;
  GtkLabel       *label;
  GtkPopover     *popover;
  GtkLabel       *title_label;
  GtkLabel       *description_label;
  GtkWidget      *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel       *phase_label;
  GtkWidget      *error_box;
  GtkLabel       *error_label;
  GtkLabel       *details_label;
  GtkWidget      *quarantined_row;
  GtkLabel       *last_synced_label;
  GtkLabel       *waiting_label;
  GtkLabel       *quarantined_label;
  GtkLabel       *hub_label;
  GtkWidget      *sync_now_button;
};

G_DEFINE_FINAL_TYPE (SySyncIndicator, sy_sync_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MONITOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_waiting (guint waiting)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record waiting",
                                       "%u records waiting", waiting),
                          waiting);
}

/* A few words for the button; the popover has the sentence. */
static const char *
short_error (const GError *error)
{
  if (error == NULL || error->domain != SY_SYNC_ERROR)
    return _("Not synced");

  switch ((SySyncError) error->code)
    {
    case SY_SYNC_ERROR_NETWORK:
      return _("Hub not reachable");
    case SY_SYNC_ERROR_AUTH:
    case SY_SYNC_ERROR_NOT_ENROLLED:
      return _("Enrol again");
    case SY_SYNC_ERROR_BUSY:
      return _("Busy");
    default:
      return _("Not synced");
    }
}

static void
update (SySyncIndicator *self)
{
  SySyncMonitor *monitor = self->monitor;
  SySyncState state = monitor ? sy_sync_monitor_get_state (monitor) : SY_SYNC_STATE_UNKNOWN;
  const GError *error = monitor ? sy_sync_monitor_get_last_error (monitor) : NULL;
  const char *error_text = monitor ? sy_sync_monitor_get_last_error_text (monitor) : NULL;
  guint waiting = monitor ? sy_sync_monitor_get_waiting (monitor) : 0;
  guint quarantined = monitor ? sy_sync_monitor_get_quarantined (monitor) : 0;
  double fraction = monitor ? sy_sync_monitor_get_fraction (monitor) : -1.0;
  g_autofree char *last_synced = NULL;
  g_autofree char *waiting_text = format_waiting (waiting);
  g_autofree char *label = NULL;
  g_autofree char *friendly = NULL;
  g_autofree char *tooltip = NULL;
  const char *icon = NULL;
  const char *title = NULL;
  const char *description = NULL;
  const char *organisation;

  gtk_widget_set_visible (GTK_WIDGET (self), state != SY_SYNC_STATE_UNKNOWN);
  gtk_widget_set_visible (self->setup_button, state == SY_SYNC_STATE_NOT_SET_UP);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button),
                          state != SY_SYNC_STATE_NOT_SET_UP && state != SY_SYNC_STATE_UNKNOWN);
  if (monitor == NULL)
    return;

  last_synced = sy_sync_format_last_synced (sy_sync_monitor_get_last_synced (monitor));

  if (error != NULL)
    friendly = sy_sync_describe_error (error);
  else if (error_text != NULL)
    friendly = g_strdup (error_text);

  switch (state)
    {
    case SY_SYNC_STATE_SYNCING:
      /* "0%" for long looks stuck: a percentage once there is some progress */
      if (fraction > 0)
        /* Translators: the header bar while syncing; %d is a percentage */
        label = g_strdup_printf (_("Syncing %d%%"), (int) (fraction * 100 + 0.5));
      else
        label = g_strdup (_("Syncing…"));
      title = _("Syncing");
      description = _("Records are going to the hub. You can keep learning meanwhile.");
      tooltip = g_strdup (sy_sync_monitor_get_phase_text (monitor));
      break;

    case SY_SYNC_STATE_OFFLINE:
      icon = "network-offline-symbolic";
      label = g_strdup (_("Offline"));
      title = _("No Network");
      description = waiting > 0
        ? _("Your records are safe on this PC and will be sent when the network is back.")
        : _("Everything was sent. New records will be sent when the network is back.");
      tooltip = g_strdup (description);
      break;

    case SY_SYNC_STATE_ERROR:
      icon = "dialog-warning-symbolic";
      label = g_strdup (short_error (error));
      title = _("Not Synced");
      description = NULL;
      tooltip = g_strdup (friendly);
      break;

    case SY_SYNC_STATE_IDLE:
      if (waiting > 0)
        {
          icon = "emblem-synchronizing-symbolic";
          label = g_strdup (waiting_text);
          title = _("Records Waiting");
          description = _("Records made since the last sync will be sent at the next one.");
        }
      else
        {
          icon = "emblem-ok-symbolic";
          label = g_strdup (last_synced);
          title = _("Everything Is Sent");
          description = _("The hub has every record made on this PC.");
        }
      tooltip = g_strdup_printf ("%s · %s", last_synced, waiting_text);
      break;

    case SY_SYNC_STATE_NOT_SET_UP:
    case SY_SYNC_STATE_UNKNOWN:
    default:
      return;
    }

  /* the button */
  gtk_stack_set_visible_child_name (self->icon_stack, icon != NULL ? "icon" : "spinner");
  gtk_spinner_set_spinning (self->spinner, icon == NULL);
  if (icon != NULL)
    gtk_image_set_from_icon_name (self->icon, icon);
  gtk_label_set_label (self->label, label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), tooltip);
  {
    g_autofree char *accessible = g_strdup_printf (_("Sync: %s"), label);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip ? tooltip : "",
                                    -1);
  }

  /* the popover */
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->description_label, description);
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), description != NULL);

  gtk_widget_set_visible (self->progress_box, state == SY_SYNC_STATE_SYNCING);
  if (state == SY_SYNC_STATE_SYNCING)
    {
      if (fraction >= 0)
        gtk_progress_bar_set_fraction (self->progress_bar, fraction);
      else
        gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_label (self->phase_label, sy_sync_monitor_get_phase_text (monitor));
    }

  /* The last error stays in view while a retry runs: it says why the retry is needed. */
  g_free (self->error_text);
  self->error_text = (state == SY_SYNC_STATE_ERROR || state == SY_SYNC_STATE_OFFLINE ||
                      state == SY_SYNC_STATE_SYNCING) ? g_strdup (friendly) : NULL;
  gtk_widget_set_visible (self->error_box, self->error_text != NULL);
  gtk_label_set_label (self->error_label, self->error_text);
  /* The engine's message is "sentence: technical detail"; the detail is what a
   * coordinator may ask for over the phone. */
  {
    const char *detail = error != NULL ? strstr (error->message, ": ") : NULL;

    detail = detail != NULL ? detail + 2 : NULL;
    gtk_label_set_label (self->details_label, detail);
    gtk_widget_set_visible (GTK_WIDGET (self->details_label),
                            detail != NULL && self->error_text != NULL);
  }

  gtk_label_set_label (self->last_synced_label, last_synced);
  {
    g_autofree char *n = g_strdup_printf ("%u", waiting);
    g_autofree char *q = g_strdup_printf ("%u", quarantined);

    gtk_label_set_label (self->waiting_label, n);
    gtk_label_set_label (self->quarantined_label, q);
  }
  gtk_widget_set_visible (self->quarantined_row, quarantined > 0);
  organisation = sy_sync_monitor_get_organisation (monitor);
  gtk_label_set_label (self->hub_label, organisation != NULL ? organisation
                                                            : sy_sync_monitor_get_url (monitor));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->hub_label), sy_sync_monitor_get_url (monitor));

  gtk_widget_set_sensitive (self->sync_now_button, !sy_sync_monitor_get_busy (monitor));
}

static void
monitor_notify_cb (SySyncIndicator *self)
{
  update (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  SySyncIndicator *self = user_data;

  if (self->monitor != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    sy_sync_monitor_refresh (self->monitor);
  update (self);
  return G_SOURCE_CONTINUE;
}

static void
popover_show_cb (SySyncIndicator *self)
{
  if (self->monitor != NULL)
    sy_sync_monitor_refresh (self->monitor);
  gtk_widget_grab_focus (self->sync_now_button);
}

static void
sync_now_clicked_cb (SySyncIndicator *self)
{
  if (self->monitor != NULL)
    sy_sync_monitor_sync_now (self->monitor);
}

static void
sy_sync_indicator_map (GtkWidget *widget)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (widget);

  GTK_WIDGET_CLASS (sy_sync_indicator_parent_class)->map (widget);

  if (self->monitor != NULL)
    sy_sync_monitor_refresh (self->monitor);
  if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add_seconds (REFRESH_SECONDS, refresh_cb, self);
}

static void
sy_sync_indicator_unmap (GtkWidget *widget)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (widget);

  g_clear_handle_id (&self->refresh_source, g_source_remove);

  GTK_WIDGET_CLASS (sy_sync_indicator_parent_class)->unmap (widget);
}

/**
 * sy_sync_indicator_set_monitor:
 * @monitor: (nullable): what to show
 */
void
sy_sync_indicator_set_monitor (SySyncIndicator *self,
                               SySyncMonitor   *monitor)
{
  g_return_if_fail (SY_IS_SYNC_INDICATOR (self));
  g_return_if_fail (monitor == NULL || SY_IS_SYNC_MONITOR (monitor));

  if (self->monitor == monitor)
    return;

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_set_object (&self->monitor, monitor);
  if (monitor != NULL)
    g_signal_connect_object (monitor, "notify", G_CALLBACK (monitor_notify_cb), self,
                             G_CONNECT_SWAPPED);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MONITOR]);
}

/* Returns: (nullable) (transfer none): what it shows */
SySyncMonitor *
sy_sync_indicator_get_monitor (SySyncIndicator *self)
{
  g_return_val_if_fail (SY_IS_SYNC_INDICATOR (self), NULL);

  return self->monitor;
}

static void
sy_sync_indicator_dispose (GObject *object)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (sy_sync_indicator_parent_class)->dispose (object);
}

static void
sy_sync_indicator_finalize (GObject *object)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (object);

  g_free (self->error_text);

  G_OBJECT_CLASS (sy_sync_indicator_parent_class)->finalize (object);
}

static void
sy_sync_indicator_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      g_value_set_object (value, self->monitor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_sync_indicator_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SySyncIndicator *self = SY_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_MONITOR:
      sy_sync_indicator_set_monitor (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_sync_indicator_class_init (SySyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_sync_indicator_dispose;
  object_class->finalize = sy_sync_indicator_finalize;
  object_class->get_property = sy_sync_indicator_get_property;
  object_class->set_property = sy_sync_indicator_set_property;
  widget_class->map = sy_sync_indicator_map;
  widget_class->unmap = sy_sync_indicator_unmap;

  properties[PROP_MONITOR] =
    g_param_spec_object ("monitor", NULL, NULL, SY_TYPE_SYNC_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, setup_button);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, menu_button);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, icon_stack);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, title_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, description_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, progress_box);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, phase_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, error_box);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, error_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, details_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, quarantined_row);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, last_synced_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, quarantined_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, hub_label);
  gtk_widget_class_bind_template_child (widget_class, SySyncIndicator, sync_now_button);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, sync_now_clicked_cb);
}

static void
sy_sync_indicator_init (SySyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}

/* ---- for the tests ---- */

/* Returns: what the button says */
const char *
_sy_sync_indicator_get_label (SySyncIndicator *self)
{
  if (gtk_widget_get_visible (self->setup_button))
    return _("Set Up Sync");
  return gtk_label_get_label (self->label);
}

/* Returns: (nullable): the error the popover explains */
const char *
_sy_sync_indicator_get_error (SySyncIndicator *self)
{
  return self->error_text;
}

GtkPopover *
_sy_sync_indicator_get_popover (SySyncIndicator *self)
{
  return self->popover;
}

GtkWidget *
_sy_sync_indicator_get_sync_now_button (SySyncIndicator *self)
{
  return self->sync_now_button;
}
