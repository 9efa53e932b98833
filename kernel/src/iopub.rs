//! The IOPub socket, owned by one task: every handler publishes through a
//! cheap [`Iopub`] handle, new subscribers get an `iopub_welcome` (JEP 65),
//! and [`Iopub::flush`] waits until everything queued so far is on the wire,
//! so outputs always leave before the reply they belong to.

use jupyter_protocol::{IoPubWelcome, JupyterMessage};
use jupyter_zmq_client::{KernelIoPubXPubConnection, SubscriptionEvent};
use tokio::sync::{mpsc, oneshot};

enum Item {
    Message(Box<JupyterMessage>),
    Flush(oneshot::Sender<()>),
}

/// A handle to publish on IOPub. Cheap to clone.
#[derive(Clone)]
pub struct Iopub {
    tx: mpsc::UnboundedSender<Item>,
}

impl Iopub {
    /// Starts the task that owns `connection`.
    pub fn spawn(mut connection: KernelIoPubXPubConnection) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    item = rx.recv() => match item {
                        Some(Item::Message(m)) => {
                            if let Err(e) = connection.send(*m).await {
                                eprintln!("maestro kernel: could not publish on iopub: {e}");
                            }
                        }
                        Some(Item::Flush(done)) => {
                            let _ = done.send(());
                        }
                        None => break,
                    },
                    event = connection.recv_subscription() => {
                        if let Ok(SubscriptionEvent::Subscribe(topic)) = event {
                            let _ = connection.send(IoPubWelcome::new(topic).into()).await;
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Queues a message.
    pub fn publish(&self, message: JupyterMessage) {
        let _ = self.tx.send(Item::Message(Box::new(message)));
    }

    /// Returns once every message queued before it has been sent.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Item::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}
